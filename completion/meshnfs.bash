# bash completion for meshnfs(8). Installed as
# /usr/share/bash-completion/completions/meshnfs: bash-completion loads it on first use.
# Each command's options come from `meshnfs help COMMAND` itself, so this file never lags
# behind the program; hosts for probe come from [nodes] and [server] of the configuration.
# shellcheck disable=SC2207 # COMPREPLY=($(compgen ...)): bash-completion's idiom (no spaces)

# The [nodes] names and addresses and the [server] address of FILE.
_meshnfs_hosts()
{
    local file=$1
    [[ -r $file ]] || return 0
    awk '
        function out(h) { if (!(h in seen)) { seen[h] = 1; print h } }
        { sub(/\r$/, "") }
        /^[ \t]*[#;]/ { next }
        /^[ \t]*\[/ { s = tolower($0); gsub(/[ \t\[\]]/, "", s); next }
        s == "nodes" && /=/ {
            k = $0; sub(/[ \t]*=.*/, "", k); gsub(/^[ \t]+/, "", k); out(k)
            v = $0; sub(/^[^=]*=/, "", v); sub(/[ \t][#;].*/, "", v)
            n = split(v, t, /[ \t,]+/)
            for (i = 1; i <= n; i++) if (t[i] ~ /^[0-9a-fA-F:.]+$/ && t[i] ~ /[.:]/) out(t[i])
        }
        s == "server" && /^[ \t]*address[ \t]*=/ {
            v = $0; sub(/^[^=]*=[ \t]*/, "", v); sub(/[ \t]+([#;].*)?$/, "", v); out(v)
        }' "$file" 2>/dev/null
}

_meshnfs()
{
    local cur prev words cword
    _init_completion -n := || return

    local prog=${words[0]} cmd='' target='' third='' config=/etc/meshnfs.conf i w
    for ((i = 1; i < cword; i++)); do
        w=${words[i]}
        case $w in
            --config) config=${words[i + 1]}; ((i++)); continue ;;
            --config=*) config=${w#--config=}; continue ;;
            --root | --timeout | --source | --format | --parallel | --server | --export | \
            --mountpoint | --options | --clients | --backend)
                ((i++)); continue ;;
            -*) continue ;;
        esac
        if [[ -z $cmd ]]; then
            cmd=$w
        elif [[ $cmd == setup && -z $target ]]; then
            target=$w
        elif [[ $cmd == help && -z $target ]]; then
            target=$w
        elif [[ $cmd == help && -z $third ]]; then
            third=$w
        fi
    done

    case $prev in
        --root) _filedir -d; return ;;
        --config) _filedir; return ;;
        --timeout) COMPREPLY=($(compgen -W '1 2 5 10 30' -- "$cur")); return ;;
        --source) COMPREPLY=($(compgen -W 'headscale tailscale tailscale.exe config' -- "$cur")); return ;;
        --format) COMPREPLY=($(compgen -W 'human json nagios' -- "$cur")); return ;;
        --backend) COMPREPLY=($(compgen -W 'kernel ganesha ceph' -- "$cur")); return ;;
        --export | --mountpoint) _filedir -d; return ;;
        --parallel | --options | --clients) return ;;
        --server) COMPREPLY=($(compgen -W "$(_meshnfs_hosts "$config")" -- "$cur")); return ;;
    esac

    local commands
    commands=$("$prog" help 2>/dev/null | awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { on = 0 }')

    if [[ $cur == -* ]]; then
        local topic=$cmd
        [[ $cmd == setup && -n $target ]] && topic="setup $target"
        if [[ -z $cmd ]]; then
            COMPREPLY=($(compgen -W "$("$prog" help 2>/dev/null | grep -o -- '--[a-z][a-z-]*') --version -h --help -v" -- "$cur"))
        else
            # shellcheck disable=SC2086 # topic is "setup client": two words on purpose
            COMPREPLY=($(compgen -W "$("$prog" help $topic 2>/dev/null | grep -o -- '--[a-z][a-z-]*' | sort -u) -h -v" -- "$cur"))
        fi
        [[ ${COMPREPLY-} == *= ]] && compopt -o nospace
        return
    fi

    case $cmd in
        "") COMPREPLY=($(compgen -W "$commands" -- "$cur")) ;;
        help)
            if [[ -z $target ]]; then
                COMPREPLY=($(compgen -W "$commands" -- "$cur"))
            elif [[ $target == setup && -z $third ]]; then
                COMPREPLY=($(compgen -W 'client server wsl' -- "$cur"))
            fi
            ;;
        setup) [[ -z $target ]] && COMPREPLY=($(compgen -W 'client server wsl' -- "$cur")) ;;
        probe) COMPREPLY=($(compgen -W "$(_meshnfs_hosts "$config")" -- "$cur")) ;;
    esac
} &&
    complete -F _meshnfs meshnfs

# ex: filetype=sh
