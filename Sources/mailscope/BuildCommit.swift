/// The git commit this binary was built from, printed by `--version`.
///
/// `scripts/build-release` writes `BuildCommit+Generated.swift` (git-ignored) with the commit
/// and builds with `-DMAILSCOPE_BUILD_COMMIT`; any other build, a plain `swift build` from a
/// tarball without git included, says "unknown commit". Kept out of the compiled-in condition,
/// a generated file left over from a release build cannot make a debug build claim its commit.
enum BuildCommit {
    #if MAILSCOPE_BUILD_COMMIT
    static let value = "commit \(generatedBuildCommit)"
    #else
    static let value = "unknown commit"
    #endif
}
