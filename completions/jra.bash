# bash completion for jra(1).  Commands, modes and options come from
# 'jra --help' and 'jra COMMAND --help', so they follow the program.

_jra_commands() {
	"${1:-jra}" --help 2>/dev/null | sed -n '/^commands:/,/^$/p' |
		awk 'NF > 1 && $1 != "commands:" { print $1 }'
}

# The modes of a command ("transfer" -> code request approve ...) from its usage lines.
_jra_modes() {
	"$1" "$2" --help 2>/dev/null | sed -n 's/^\(usage:\|   or:\) jra [a-z-]* \([a-z][a-z|-]*\)\( .*\)\{0,1\}$/\2/p' |
		tr '|' '\n' | sort -u
}

_jra_options() {
	# shellcheck disable=SC2086
	"$1" $2 --help 2>/dev/null | grep -o -- '--[a-z][a-z-]*' | sort -u
}

_jra() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	local jra=${COMP_WORDS[0]} cmd= i w modes

	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		-p|--profile|-c|--config|-o|--output|--retries|--timeout)
			i=$((i + 1)) ;;
		-*) ;;
		*) cmd=$w; break ;;
		esac
	done
	case $prev in
	-o|--output)
		mapfile -t COMPREPLY < <(compgen -W 'table json jsonl csv' -- "$cur")
		return ;;
	-c|--config|-f|--file|--eab-out)
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return ;;
	--period|--renewal-period)
		mapfile -t COMPREPLY < <(compgen -W '1m 1y' -- "$cur")
		return ;;
	--state)
		mapfile -t COMPREPLY < <(compgen -W 'applied active cancel-pending ended' -- "$cur")
		return ;;
	--reason)
		mapfile -t COMPREPLY < <(compgen -W 'unspecified keyCompromise affiliationChanged superseded cessationOfOperation' -- "$cur")
		return ;;
	esac
	if [ -z "$cmd" ]; then
		if [[ $cur == -* ]]; then
			mapfile -t COMPREPLY < <(compgen -W "$(_jra_options "$jra" "")" -- "$cur")
		else
			mapfile -t COMPREPLY < <(compgen -W "$(_jra_commands "$jra") help" -- "$cur")
		fi
		return
	fi
	if [ "$cmd" = help ]; then
		mapfile -t COMPREPLY < <(compgen -W "$(_jra_commands "$jra")" -- "$cur")
		return
	fi
	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$(_jra_options "$jra" "$cmd")" -- "$cur")
		return
	fi
	modes=$(_jra_modes "$jra" "$cmd")
	if [ -n "$modes" ] && [ "${COMP_WORDS[i+1]:-}" = "$cur" ] && [ $((i + 1)) -eq "$COMP_CWORD" ]; then
		mapfile -t COMPREPLY < <(compgen -W "$modes" -- "$cur")
	fi
}

complete -F _jra jra
