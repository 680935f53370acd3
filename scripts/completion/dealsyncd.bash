# bash completion for dealsyncd (installed to
# /usr/share/bash-completion/completions/dealsyncd).
_dealsyncd() {
  local cur=${COMP_WORDS[COMP_CWORD]}
  local prev=${COMP_WORDS[COMP_CWORD-1]}
  case $prev in
    --config) COMPREPLY=($(compgen -d -- "$cur")); return ;;
    --log-level) COMPREPLY=($(compgen -W "trace debug info warn error critical" -- "$cur")); return ;;
    --log-target) COMPREPLY=($(compgen -W "auto journal stderr" -- "$cur")); return ;;
  esac
  COMPREPLY=($(compgen -W "--config --once --log-level --log-target --version --help" -- "$cur"))
}
complete -F _dealsyncd dealsyncd
