// Preloaded into a profiled pack process (TORCHPOD_BENCH_PACK_PROF): SIGTERM becomes a normal exit,
// so node writes the CPU profile it was asked for.
process.on("SIGTERM", () => process.exit(0));
