# bash completion for dealsyncctl (installed to
# /usr/share/bash-completion/completions/dealsyncctl).
_dealsyncctl() {
  local cur prev words cword
  if declare -F _init_completion >/dev/null; then
    _init_completion || return
  else
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD-1]}
    words=("${COMP_WORDS[@]}")
    cword=$COMP_CWORD
  fi

  local commands="validate reload partner plan conflicts deadletters links sources report users"
  local cmd="" sub="" i
  for ((i = 1; i < cword; i++)); do
    case ${words[i]} in
      -*) ;;
      *)
        if [[ -z $cmd ]]; then
          case ${words[i-1]} in --config|--partner|--status|--field|--older-than|--take|--value|--by|--reason|--vendor-id|--partner-id|--format|--out|--sample|--max-pages|--write-test|--timeout|--target) continue ;; esac
          cmd=${words[i]}
        elif [[ -z $sub ]]; then
          case ${words[i-1]} in --config|--partner|--status|--field|--older-than|--take|--value|--by|--reason|--vendor-id|--partner-id|--format|--out|--sample|--max-pages|--write-test|--timeout|--target) continue ;; esac
          sub=${words[i]}
        fi
        ;;
    esac
  done

  case $prev in
    --config)
      COMPREPLY=($(compgen -d -- "$cur"))
      return
      ;;
    --out)
      COMPREPLY=($(compgen -f -- "$cur"))
      return
      ;;
    --format)
      COMPREPLY=($(compgen -W "html csv pipeline-csv json" -- "$cur"))
      return
      ;;
    --status)
      COMPREPLY=($(compgen -W "held auto resolved" -- "$cur"))
      return
      ;;
    --field)
      COMPREPLY=($(compgen -W "stage amount close_date" -- "$cur"))
      return
      ;;
    --take)
      COMPREPLY=($(compgen -W "vendor partner" -- "$cur"))
      return
      ;;
    --partner|--target)
      local dir="/etc/dealsync" j
      for ((j = 1; j < cword; j++)); do
        [[ ${words[j]} == --config ]] && dir=${words[j+1]}
      done
      local ids
      ids="$(awk 'FNR == 1 { top = 1 } /^\[/ { top = 0 } top && /^id *=/ { sub(/^id *= *"/, ""); sub(/".*/, ""); print }' "$dir"/partners.d/*.toml 2>/dev/null)"
      [[ $prev == --target ]] && ids="vendor $ids"
      COMPREPLY=($(compgen -W "$ids" -- "$cur"))
      return
      ;;
    --older-than|--value|--by|--reason|--vendor-id|--partner-id|--sample|--max-pages|--write-test|--timeout)
      return
      ;;
  esac

  local options=""
  case $cmd in
    "") COMPREPLY=($(compgen -W "$commands --help --version" -- "$cur")); return ;;
    validate|plan) options="--config" ;;
    reload) options="--config --timeout" ;;
    partner)
      [[ -z $sub ]] && { COMPREPLY=($(compgen -W "check" -- "$cur")); return; }
      options="--config --partner --sample --max-pages --write-test"
      ;;
    conflicts)
      if [[ -z $sub ]]; then
        COMPREPLY=($(compgen -W "list show resolve --config" -- "$cur"))
        return
      fi
      case $sub in
        list) options="--partner --status --field --older-than" ;;
        resolve) options="--take --value --by --reason" ;;
      esac
      ;;
    deadletters)
      if [[ -z $sub ]]; then
        COMPREPLY=($(compgen -W "list show retry discard --config" -- "$cur"))
        return
      fi
      case $sub in
        list) options="--target" ;;
        retry) options="--all --target --by" ;;
        discard) options="--by" ;;
      esac
      ;;
    links)
      if [[ -z $sub ]]; then
        COMPREPLY=($(compgen -W "list add break --config --partner" -- "$cur"))
        return
      fi
      case $sub in
        list) options="--partner" ;;
        add) options="--partner --vendor-id --partner-id --by" ;;
        break) options="--by" ;;
      esac
      ;;
    sources)
      if [[ -z $sub ]]; then
        COMPREPLY=($(compgen -W "list rewind --config" -- "$cur"))
        return
      fi
      [[ $sub == rewind ]] && options="--to --by"
      ;;
    report) options="--config --partner --format --out --bom" ;;
    users)
      [[ -z $sub ]] && { COMPREPLY=($(compgen -W "hash-password" -- "$cur")); return; }
      ;;
  esac
  COMPREPLY=($(compgen -W "$options --help" -- "$cur"))
}
complete -F _dealsyncctl dealsyncctl
