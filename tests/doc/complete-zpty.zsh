#!/bin/zsh -f
# A real zsh completion run: an interactive zsh on a pseudo-terminal loads
# _jra through compinit, gets partial jra command lines followed by TAB,
# and what it draws must show the expected words.
# usage: complete-zpty.zsh JRA _JRA
setopt extendedglob
zmodload zsh/zpty || { print '# no zsh/zpty'; exit 77 }

jra_dir=${1:A:h}
fdir=$(mktemp -d)
trap 'zpty -d z 2>/dev/null; rm -rf $fdir' EXIT
cp $2 $fdir/_jra
mkdir -p $fdir/home
export PATH=$jra_dir:$PATH HOME=$fdir/home LC_ALL=C
unset JRA_CONFIG JRA_PROFILE XDG_CONFIG_HOME

zpty -b z zsh -f -i
zpty -w z "PS1='' RPS1=''; fpath=($fdir \$fpath); autoload -Uz compinit;" \
	"compinit -u -D -d $fdir/zcompdump; LISTMAX=1000; print READ''Y"
zpty -r z line '*READY*' || { print 'not ok - zsh did not start'; exit 1 }

n=0 fail=0
# check LINE WORD...: TAB after LINE draws every WORD.
check() {
	local line=$1 out= chunk w missing tries=0
	shift
	zpty -n -w z "$line"$'\t'
	while (( tries++ < 50 )); do
		while zpty -r -t z chunk; do out+=$chunk; done
		out=${out//$'\e'\[[0-9;?]#[a-zA-Z]/}
		missing=()
		for w; do [[ $out == *$w* ]] || missing+=$w; done
		(( $#missing )) || break
		sleep 0.1
	done
	(( n++ ))
	if (( $#missing )); then
		print -r -- "not ok $n - [$line] lacks: $missing; drew: ${(q+)out}"
		fail=1
	else
		print -r -- "ok $n - [$line]"
	fi
	# kill the line and let zsh settle
	zpty -n -w z $'\C-u'
	sleep 0.2
	while zpty -r -t z chunk; do :; done
}

check 'jra w' whoami withdraw-cancel 'show the registrar the profile signs for'
check 'jra ap' 'jra apply '
check 'jra revoke --reason k' 'keyCompromise'
check 'jra transfer ' approve reject request code status cancel
check 'jra status --sta' '--state'
check 'jra modify x.jp --renewal-period 1' 1m 1y
print "1..$n"
exit $fail
