import FuzzSupport
import LuaHost

/// The adapter cache reader: its file is untrusted input, and anything but a whole file reads as
/// "rebuild".
@_cdecl("fuzz_cache_main")
public func entry(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    FuzzDriver.run(argc, argv, test)
}

let test: FuzzTest = { data, size in
    _ = AdapterCache.isReadable(FuzzDriver.bytes(data, size))
    return 0
}
