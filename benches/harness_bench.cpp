// What the harness itself costs per measurement: one histogram record and one
// clock read are paid on every timed operation, so they bound how short an
// operation primbench can meaningfully time.
#include <benchmark/benchmark.h>

#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <memory>
#include <random>
#include <string>

#include "harness/bench_registry.hpp"
#include "harness/clock.hpp"
#include "harness/latency_histogram.hpp"

namespace primbench {
namespace {

// Power of two so the index wraps with a mask; 4096 x 8 bytes stays in L1.
constexpr std::size_t kLatencyCount = 4096;

// Log-uniform over 10 ns .. 10 ms, so records land in many different buckets
// (and mispredict like real data would) instead of hitting one hot counter.
std::array<std::uint64_t, kLatencyCount> make_latencies() {
  std::array<std::uint64_t, kLatencyCount> latencies{};
  std::mt19937_64 generator(42);
  std::uniform_real_distribution<double> exponent(1.0, 7.0);
  for (std::uint64_t& latency : latencies) {
    latency = static_cast<std::uint64_t>(std::pow(10.0, exponent(generator)));
  }
  return latencies;
}

void histogram_record(benchmark::State& state) {
  static const std::array<std::uint64_t, kLatencyCount> latencies = make_latencies();
  auto histogram = std::make_unique<LatencyHistogram>();
  benchmark::DoNotOptimize(histogram.get());
  std::size_t next = 0;
  for (auto _ : state) {
    std::uint64_t latency = latencies[next++ & (kLatencyCount - 1)];
    benchmark::DoNotOptimize(latency);
    histogram->record(latency);
    benchmark::ClobberMemory();  // the counters must really be written each time
  }
  benchmark::DoNotOptimize(histogram->count());
}

void clock_read(benchmark::State& state) {
  clock_init();
  for (auto _ : state) benchmark::DoNotOptimize(Clock::now());
  state.SetLabel(std::string(clock_source_name(Clock::source())));
}

void steady_clock_read(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(std::chrono::steady_clock::now());
}

void register_harness(const BenchEnvironment&) {
  // Registration only asks which source clock_init() will pick (a CPUID), so
  // listing benchmarks never pays for a calibration.
  const std::string clock_read_name = "harness/clock_read/" + std::string(clock_source_name(planned_clock_source()));
  benchmark::RegisterBenchmark("harness/histogram_record", histogram_record);
  benchmark::RegisterBenchmark(clock_read_name.c_str(), clock_read);
  benchmark::RegisterBenchmark("harness/steady_clock_read", steady_clock_read);
}

}  // namespace
}  // namespace primbench

PRIMBENCH_FAMILY("harness", primbench::register_harness);
