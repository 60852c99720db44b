import Shell

/// Every built-in command, in the order `help` lists them.
public enum BuiltinCommands {
    public static var all: [CommandSpec] {
        [helpCommand, setCommand, unsetCommand, varsCommand, letCommand, showCommand, saveCommand, echoCommand, runCommand, luaCommand, sourceCommand, expectCommand, testCommand, editCommand, historyCommand, explainCommand, codesCommand, decodeCommand, signCommand, verifyCommand, sendCommand, mockCommand, triggerCommand, listenCommand, capturesCommand, replayCommand, pluginsCommand, useCommand, completionCommand, quitCommand]
    }

    public static func registry() -> CommandRegistry { CommandRegistry(all) }
}
