# fish completion for jra(1).  Commands, modes and options come from
# 'jra --help' and 'jra COMMAND --help', so they follow the program.

# The command on the line so far, if any.
function __jra_cmd
	set -l tokens (commandline -opc)
	set -e tokens[1]
	while set -q tokens[1]
		switch $tokens[1]
			case -p --profile -c --config -o --output --retries --timeout
				set -e tokens[1]
			case '-*'
			case '*'
				echo $tokens[1]
				return 0
		end
		set -e tokens[1]
	end
	return 1
end

# True when the command is the last word: its mode comes next.
function __jra_wants_mode
	set -l cmd (__jra_cmd); or return 1
	set -l tokens (commandline -opc)
	test "$tokens[-1]" = "$cmd"
end

function __jra_commands
	jra --help 2>/dev/null | sed -n '/^commands:/,/^$/p' |
		awk 'NF > 1 && $1 != "commands:" { print $1 }'
end

function __jra_options
	jra (__jra_cmd) --help 2>/dev/null | grep -o -- '--[a-z][a-z-]*' | sort -u
end

function __jra_modes
	jra (__jra_cmd) --help 2>/dev/null |
		sed -n 's/^\(usage:\|   or:\) jra [a-z-]* \([a-z][a-z|-]*\)\( .*\)\{0,1\}$/\2/p' |
		tr '|' '\n' | sort -u
end

complete -c jra -f
complete -c jra -n 'not __jra_cmd' -a '(__jra_commands) help'
complete -c jra -n '__jra_cmd; and string match -q -- "-*" (commandline -ct)' -a '(__jra_options)'
complete -c jra -n '__jra_wants_mode' -a '(__jra_modes)'
complete -c jra -n '__jra_wants_mode; and test (__jra_cmd) = help' -a '(__jra_commands)'
complete -c jra -s o -l output -x -a 'table json jsonl csv'
complete -c jra -s c -l config -r -F
complete -c jra -s f -l file -r -F
complete -c jra -l eab-out -r -F
complete -c jra -l period -x -a '1m 1y'
complete -c jra -l renewal-period -x -a '1m 1y'
complete -c jra -l state -x -a 'applied active cancel-pending ended'
complete -c jra -l reason -x -a 'unspecified keyCompromise affiliationChanged superseded cessationOfOperation'
