// The storage of a sampling run's kept draws (SampleResult::values): a std::vector<double> whose
// allocator leaves new elements uninitialised.
//
// Why: 64 chains x 1,000 draws x 1,000 groups keep 516 MB of draws. std::allocator zero-fills
// them on resize, which touched every page before warmup began: 0.3 s, a third of such a run's
// time to its first draw. Left untouched, the pages are mapped as the draws arrive, each zeroed
// once by the kernel. The sampler writes every element before sample() returns, so nothing is
// read uninitialised. (Huge pages were tried: with the kernel's default defrag policy their
// faults stalled on memory compaction and sampling took 2-3x longer.)
#pragma once

#include <cstddef>
#include <new>
#include <type_traits>
#include <vector>

namespace hbayes {

class DrawAllocator {
 public:
  using value_type = double;
  // (A class, not a template: std::allocator_traits needs to be told that rebinding to double,
  // the only type a DrawStorage allocates, gives this allocator.)
  template <class U>
  struct rebind {
    static_assert(std::is_same<U, double>::value, "DrawAllocator allocates doubles only");
    using other = DrawAllocator;
  };

  DrawAllocator() = default;
  double* allocate(std::size_t n) {
    if (n > static_cast<std::size_t>(-1) / sizeof(double)) throw std::bad_array_new_length();
    return static_cast<double*>(::operator new(n * sizeof(double)));
  }
  void deallocate(double* p, std::size_t) noexcept { ::operator delete(p); }

  // Default-initialisation (resize): the element is left as it is.
  void construct(double* p) noexcept { ::new (static_cast<void*>(p)) double; }
  // Copies and explicit values as usual.
  void construct(double* p, double value) noexcept { ::new (static_cast<void*>(p)) double(value); }

  friend bool operator==(const DrawAllocator&, const DrawAllocator&) noexcept { return true; }
  friend bool operator!=(const DrawAllocator&, const DrawAllocator&) noexcept { return false; }
};

using DrawStorage = std::vector<double, DrawAllocator>;

}  // namespace hbayes
