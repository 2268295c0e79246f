# fish completion for jra(1), the registrar's tool for the JPRS
# server-certificate service.
#
# Commands and profiles come from 'jra --complete'; options, the values of
# an option written as "a|b", and the modes of a command (transfer code,
# subscriber show, config check) from the help jra prints, so that the
# completion follows the binary it completes.

# "LONG;SHORT;ARG;DESCRIPTION" lines for the options of CMD, or of jra.
function __jra_options --argument-names cmd
    if test -n "$cmd"
        env LC_ALL=C jra help $cmd 2>/dev/null
    else
        env LC_ALL=C jra --help 2>/dev/null
    end | sed -nE '/^options:$/,/^$/s/^    (-([a-zA-Z]), )?(--[a-z0-9-]+)( ([A-Z][A-Z_]*|[0-9a-z]+(\|[0-9a-z]+)+))? +(.*)$/\3;\2;\5;\7/p'
end

# The modes of CMD, as its usage lines name them ("jra transfer approve|reject ...").
function __jra_modes --argument-names cmd
    env LC_ALL=C jra help $cmd 2>/dev/null |
        sed -nE "s/^ *(usage|or): jra $cmd ([a-z][a-z|-]*)( .*)?\$/\\2/p" | string split '|'
end

# Whether option word W (--long or -s) names the option of LINE and takes an argument.
function __jra_takes --argument-names w line
    set -l f (string split ';' -- $line)
    test -n "$f[3]"; and begin
        test "$w" = "$f[1]"; or begin
            test -n "$f[2]"; and test "$w" = "-$f[2]"
        end
    end
end

# Prints each of VALUES after PREFIX (the "--opt=" of the word, or nothing).
function __jra_values --argument-names prefix
    for v in $argv[2..-1]
        printf '%s%s\n' "$prefix" $v
    end
end

function __jra_complete
    set -l words (commandline -opc)
    set -l cur (commandline -ct)
    set -l lines (__jra_options "")
    set -l cmd
    set -l mode
    set -l modes
    set -l config

    # Global options, then the command, its options, and its mode.
    set -l i 2
    while test $i -le (count $words)
        set -l w $words[$i]
        if test -z "$cmd"
            switch $w
                case -c --config
                    set config $words[(math $i + 1)]
                case '--config=*'
                    set config (string replace -- '--config=' '' $w)
            end
        end
        if string match -q -- '-*' $w
            if not string match -q -- '*=*' $w
                for line in $lines
                    if __jra_takes $w $line
                        set i (math $i + 1)
                        break
                    end
                end
            end
        else if test -z "$cmd"
            set cmd $w
            if test "$cmd" != help
                set lines (__jra_options $cmd)
                set modes (__jra_modes $cmd)
            end
        else if begin; test -n "$modes"; or test "$cmd" = help; end; and test -z "$mode"
            set mode $w
        end
        set i (math $i + 1)
    end
    set config (string replace -r '^~' -- $HOME $config)

    # The value of an option: "--opt VALUE" or "--opt=VALUE".
    set -l want
    set -l pre
    set -l prefix $cur
    if string match -q -- '--*=*' $cur
        set want (string replace -r -- '=.*' '' $cur)
        set pre "$want="
        set prefix (string replace -r -- '^[^=]*=' '' $cur)
    else if test (count $words) -gt 1; and string match -q -- '-*' $words[-1]; and not string match -q -- '*=*' $words[-1]
        set want $words[-1]
    end
    if test -n "$want"
        for line in $lines
            __jra_takes $want $line; or continue
            set -l f (string split ';' -- $line)
            switch $f[1]
                case --profile
                    set -l c
                    test -n "$config"; and set c --config=$config
                    __jra_values "$pre" (jra $c --complete profiles 2>/dev/null)
                case --config --file --eab-out
                    __fish_complete_path "$prefix" | string replace -r -- '^' "$pre"
                case --output
                    __jra_values "$pre" table json jsonl csv
                case --reason
                    # terms §11: the reasons a registrar may give
                    __jra_values "$pre" unspecified keyCompromise affiliationChanged superseded cessationOfOperation
                case --state
                    __jra_values "$pre" applied active cancel-pending ended
                case '*'
                    if string match -q -- '*|*' $f[3]
                        __jra_values "$pre" (string split '|' -- $f[3])
                    end
            end
            return
        end
        test -n "$pre"; and return
    end

    if string match -q -- '-*' $cur
        for line in $lines
            set -l f (string split ';' -- $line)
            printf '%s\t%s\n' $f[1] $f[4]
        end
    else if test -z "$cmd"; or begin; test "$cmd" = help; and test -z "$mode"; end
        jra --complete commands 2>/dev/null
        test -z "$cmd"; and printf 'help\tshow the help of a command\n'
    else if test -n "$modes"; and test -z "$mode"
        printf '%s\n' $modes
    end
end

complete -c jra -f -a '(__jra_complete)'
