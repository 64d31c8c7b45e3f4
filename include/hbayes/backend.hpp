// Where per-group work runs. The backend is a run-time value, never a template parameter.
#pragma once

#include <string>

namespace hbayes {

// Auto: CUDA when a usable device is present, else the CPU (with a one-line notice).
enum class Backend { Auto, Cpu, Cuda };

// The backend a request resolves to on this machine, and why (for the notice or the error).
struct BackendChoice {
  Backend backend;     // Cpu or Cuda, never Auto
  std::string notice;  // non-empty when Auto fell back to the CPU: the one-line reason
};

// Resolves a requested backend. Throws BackendUnavailable when Cuda is requested but unusable.
BackendChoice resolve_backend(Backend requested);

// Parses "auto" / "cpu" / "cuda"; throws InputError(source = option_name) otherwise.
Backend parse_backend(const std::string& text, const std::string& option_name = "--backend");

// "cpu" or "cuda".
const char* backend_name(Backend backend);

// Caps the CPU backend's worker threads (0 = all cores). Affects later calls in this process.
void set_cpu_threads(int threads);

}  // namespace hbayes
