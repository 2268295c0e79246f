# bash completion for jra(1), the registrar's tool for the JPRS
# server-certificate service.
#
# Commands and profiles come from 'jra --complete'; options, the values of
# an option written as "a|b", and the modes of a command (transfer code,
# subscriber show, config check) from the help jra prints, so that the
# completion follows the binary it completes.

# "LONG;SHORT;ARG;DESCRIPTION" lines for the options of CMD, or of jra.
_jra_options()
{
	if [[ -n $1 ]]; then
		LC_ALL=C command jra help "$1" 2>/dev/null
	else
		LC_ALL=C command jra --help 2>/dev/null
	fi | sed -nE '/^options:$/,/^$/s/^    (-([a-zA-Z]), )?(--[a-z0-9-]+)( ([A-Z][A-Z_]*|[0-9a-z]+(\|[0-9a-z]+)+))? +(.*)$/\3;\2;\5;\7/p'
}

# The modes of CMD, as its usage lines name them ("jra transfer approve|reject ...").
_jra_modes()
{
	LC_ALL=C command jra help "$1" 2>/dev/null |
		sed -nE "s/^ *(usage|or): jra $1 ([a-z][a-z|-]*)( .*)?\$/\\2/p" | tr '|' '\n'
}

# The values of option OPT whose argument the help calls ARG; "<files>" for
# a file name.
_jra_values()
{
	case $1 in
	--profile) command jra ${_jra_config:+--config "$_jra_config"} --complete profiles 2>/dev/null ;;
	--config|--file|--eab-out) echo '<files>' ;;
	--output) printf '%s\n' table json jsonl csv ;;
	# terms §11: the reasons a registrar may give
	--reason) printf '%s\n' unspecified keyCompromise affiliationChanged superseded cessationOfOperation ;;
	--state) printf '%s\n' applied active cancel-pending ended ;;
	*) [[ $2 == *'|'* ]] && printf '%s\n' ${2//|/ } ;;
	esac
}

_jra()
{
	local -a words=() opts=()
	local i j=0 joined=0 w cur cword cmd= mode= modes= long short arg desc
	local _jra_config=

	# Undo the split at '=' (COMP_WORDBREAKS): "--reason=k" is one word here.
	for ((i = 0; i <= COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if [[ $w == = && $j -gt 0 && ${words[j-1]} == --* && ${words[j-1]} != *=* ]]; then
			words[j-1]+==
			joined=1
		elif ((joined)); then
			words[j-1]+=$w
			joined=0
		else
			words[j++]=$w
		fi
	done
	cword=$((j - 1))
	cur=${words[cword]}
	COMPREPLY=()

	# Global options, then the command, its options, and its mode.
	mapfile -t opts < <(_jra_options "")
	for ((i = 1; i < cword; i++)); do
		w=${words[i]}
		if [[ -z $cmd ]]; then
			case $w in
			-c|--config) _jra_config=${words[i+1]} ;;
			--config=*) _jra_config=${w#*=} ;;
			esac
		fi
		if [[ $w == -* ]]; then
			[[ $w == *=* ]] && continue
			for long in "${opts[@]}"; do
				IFS=';' read -r long short arg desc <<<"$long"
				if [[ -n $arg && ( $w == "$long" || ( -n $short && $w == "-$short" ) ) ]]; then
					((i++))
					break
				fi
			done
		elif [[ -z $cmd ]]; then
			cmd=$w
			[[ $cmd == help ]] && continue
			mapfile -t opts < <(_jra_options "$cmd")
			modes=$(_jra_modes "$cmd")
		elif [[ ( -n $modes || $cmd == help ) && -z $mode ]]; then
			mode=$w
		fi
	done
	_jra_config=${_jra_config/#\~/$HOME}

	# The value of an option: "--opt VALUE" or "--opt=VALUE".
	local want= prefix=$cur values
	if [[ $cur == --*=* ]]; then
		want=${cur%%=*}
		prefix=${cur#*=}
	elif ((cword > 1)) && [[ ${words[cword-1]} == -* && ${words[cword-1]} != *=* ]]; then
		want=${words[cword-1]}
	fi
	if [[ -n $want ]]; then
		for long in "${opts[@]}"; do
			IFS=';' read -r long short arg desc <<<"$long"
			[[ -n $arg && ( $want == "$long" || ( -n $short && $want == "-$short" ) ) ]] || continue
			values=$(_jra_values "$long" "$arg")
			if [[ $values == '<files>' ]]; then
				compopt -o filenames 2>/dev/null
				mapfile -t COMPREPLY < <(compgen -f -- "$prefix")
			else
				mapfile -t COMPREPLY < <(compgen -W "$values" -- "$prefix")
			fi
			return 0
		done
		[[ $cur == --*=* ]] && return 0
	fi

	if [[ $cur == -* ]]; then
		values=
		for long in "${opts[@]}"; do
			values+=" ${long%%;*}"
		done
		mapfile -t COMPREPLY < <(compgen -W "$values" -- "$cur")
	elif [[ -z $cmd || ( $cmd == help && -z $mode ) ]]; then
		values=$(command jra --complete commands 2>/dev/null | cut -f1)
		[[ -z $cmd ]] && values+=" help"
		mapfile -t COMPREPLY < <(compgen -W "$values" -- "$cur")
	elif [[ -n $modes && -z $mode ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$modes" -- "$cur")
	fi
	return 0
}

complete -F _jra jra
