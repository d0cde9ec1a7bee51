// Force-included by scripts/lint.sh into clang-tidy 14's parse only; never compiled.
//
// libstdc++ 12's <source_location> defines std::source_location only when the compiler
// has __builtin_source_location (GCC 12, clang 15+). Under clang 14 the header is empty,
// so every TU that names std::source_location fails to parse and clang-tidy reports a
// clang-diagnostic-error instead of linting it. This stand-in supplies the same
// interface from the older builtins clang 14 has. It changes nothing for g++ or for a
// clang that has the builtin.
#pragma once

#if defined(__clang__) && !__has_builtin(__builtin_source_location)
namespace std {
struct source_location {
  static constexpr source_location current(const char* file = __builtin_FILE(),
                                           const char* function = __builtin_FUNCTION(),
                                           unsigned line = __builtin_LINE(),
                                           unsigned column = __builtin_COLUMN()) noexcept {
    source_location here;
    here.file_ = file;
    here.function_ = function;
    here.line_ = line;
    here.column_ = column;
    return here;
  }
  constexpr source_location() noexcept = default;
  [[nodiscard]] constexpr unsigned line() const noexcept { return line_; }
  [[nodiscard]] constexpr unsigned column() const noexcept { return column_; }
  [[nodiscard]] constexpr const char* file_name() const noexcept { return file_; }
  [[nodiscard]] constexpr const char* function_name() const noexcept { return function_; }

private:
  const char* file_ = "";
  const char* function_ = "";
  unsigned line_ = 0;
  unsigned column_ = 0;
};
} // namespace std
#endif
