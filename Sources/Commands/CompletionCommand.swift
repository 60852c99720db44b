import Shell

/// `completion bash|zsh|fish`: a completion script for one-shot use from the user's own shell.
/// The script asks `callscope __complete WORDS…` at each Tab, which runs the same completer (and
/// reads the same adapters) as the shell's own Tab completion.
public var completionCommand: CommandSpec {
    CommandSpec(
        name: "completion", summary: "print a completion script for bash, zsh or fish",
        help: """
        Load it from your shell's start-up file:
          bash:  eval "$(callscope completion bash)"        (in ~/.bashrc)
          zsh:   eval "$(callscope completion zsh)"         (in ~/.zshrc, after compinit)
          fish:  callscope completion fish | source         (in ~/.config/fish/config.fish)
        Commands, flags, vendors, operations and code values complete as they do inside the shell.
        """,
        examples: ["callscope completion bash > ~/.local/share/bash-completion/completions/callscope"],
        arguments: [ArgumentSpec("shell", summary: "bash, zsh or fish", completion: .words(CompletionScript.shells))]
    ) { context throws(CommandError) in
        let shell = context.positionals[0]
        guard let script = CompletionScript.text(for: shell) else {
            throw CommandError.usage("no completion script for '\(shell)'", hint: "one of: \(CompletionScript.shells.joined(separator: ", "))")
        }
        return .ok(Report(json: ["shell": .string(shell), "script": .string(script)], blocks: [.text(script)]))
    }
}

enum CompletionScript {
    static let shells = ["bash", "zsh", "fish"]

    static func text(for shell: String) -> String? {
        switch shell {
        case "bash":
            return """
                # callscope completion for bash: eval "$(callscope completion bash)"
                _callscope() {
                    local IFS=$'\\n'
                    COMPREPLY=($(callscope __complete "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null))
                }
                complete -o default -F _callscope callscope
                """
        case "zsh":
            return """
                # callscope completion for zsh: eval "$(callscope completion zsh)"
                _callscope() {
                    local -a candidates
                    candidates=("${(@f)$(callscope __complete "${(@)words[2,CURRENT]}" 2>/dev/null)}")
                    compadd -a candidates
                }
                compdef _callscope callscope
                """
        case "fish":
            return """
                # callscope completion for fish: callscope completion fish | source
                complete -c callscope -f -a '(callscope __complete (commandline -opc)[2..-1] (commandline -ct) 2>/dev/null)'
                """
        default:
            return nil
        }
    }
}
