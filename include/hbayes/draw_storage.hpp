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

#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

namespace hbayes {

// std::allocator, except that value-initialisation (resize, vector(n)) default-initialises: a
// double is then left as it is instead of zeroed. Copies and explicit values are constructed as
// usual.
template <class T>
class DrawAllocator : public std::allocator<T> {
 public:
  template <class U>
  struct rebind {
    using other = DrawAllocator<U>;
  };

  DrawAllocator() = default;
  template <class U>
  DrawAllocator(const DrawAllocator<U>&) noexcept {}

  template <class U>
  void construct(U* p) noexcept(std::is_nothrow_default_constructible<U>::value) {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

using DrawStorage = std::vector<double, DrawAllocator<double>>;

}  // namespace hbayes
