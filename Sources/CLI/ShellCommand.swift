import Glibc

/// A user-configured command line (`$PAGER`, `$EDITOR`) run through `/bin/sh -c`, on the terminal.
enum ShellCommand {
    /// Starts `/bin/sh -c SCRIPT sh ARGUMENTS…`; with `stdin`, that descriptor becomes its standard
    /// input (and is closed here). Returns the pid, or nil when it cannot start.
    static func spawn(_ script: String, arguments: [String] = [], stdin: Int32? = nil) -> pid_t? {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let stdin { posix_spawn_file_actions_adddup2(&actions, stdin, 0) }
        let cArgs = (["/bin/sh", "-c", script, "sh"] + arguments).map { strdup($0) } + [nil]
        defer { cArgs.forEach { free($0) } }
        var pid: pid_t = 0
        let started = posix_spawn(&pid, "/bin/sh", &actions, nil, cArgs, environ)
        if let stdin { close(stdin) }
        return started == 0 ? pid : nil
    }

    /// Waits for `pid`; its exit status (or -1).
    static func wait(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 { if errno != EINTR { return -1 } }
        return status
    }
}
