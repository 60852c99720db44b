import CLI
import FoundationEssentials
import Glibc

exit(App.main(arguments: Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment))
