#include "helpers.h"

#include <array>
#include <cctype>

#include <fmt/format.h>

#include "spelling.h"

namespace vyre::codegen::detail {

using ir::AtomicOp;
using ir::MemorySpace;
using ir::Type;

namespace {

Type unsigned_of(Type type) {
  switch (type) {
    case Type::I32:
      return Type::U32;
    case Type::I64:
      return Type::U64;
    default:
      return type;
  }
}

// The f32 error bound (ULP) each dialect's library guarantees for a transcendental: the OpenCL
// 1.2 full-profile table (section 7.4) and the CUDA math API's documented maxima. When the
// dispatch's budget is tighter, f32 results are computed in f64 and rounded once instead.
unsigned library_f32_bound(Dialect dialect, std::string_view op) {
  struct Bound {
    std::string_view op;
    unsigned opencl;
    unsigned cuda;
  };
  static constexpr std::array kBounds = {
      Bound{"exp", 3, 2}, Bound{"exp2", 3, 2}, Bound{"log", 3, 1}, Bound{"log2", 3, 1},
      Bound{"sin", 4, 2}, Bound{"cos", 4, 2},  Bound{"tan", 5, 4}, Bound{"pow", 16, 8},
  };
  for (const Bound& b : kBounds) {
    if (b.op == op) return dialect == Dialect::Cuda ? b.cuda : b.opencl;
  }
  return 0;
}

constexpr std::array<std::string_view, 8> kTranscendentals = {"exp", "exp2", "log", "log2",
                                                              "sin", "cos",  "tan", "pow"};

bool is_transcendental(std::string_view op) {
  for (std::string_view t : kTranscendentals) {
    if (t == op) return true;
  }
  return false;
}

}  // namespace

HelperSet::HelperSet(Dialect dialect, std::uint32_t ulp_budget, bool fp64)
    : dialect_(dialect), ulp_budget_(ulp_budget), fp64_(fp64) {}

bool HelperSet::begin(const std::string& name) {
  return defined_.insert(name).second;
}

void HelperSet::finish(std::string definition) {
  definitions_.push_back(std::move(definition));
}

std::string HelperSet::signature(std::string_view result, const std::string& name,
                                 std::string_view params) const {
  std::string_view qualifiers =
      dialect_ == Dialect::Cuda ? "static __device__ __forceinline__" : "static inline";
  return fmt::format("{} {} {}({})", qualifiers, result, name, params);
}

std::string HelperSet::space_tag(MemorySpace space) const {
  if (dialect_ == Dialect::Cuda) return "";
  return space == MemorySpace::Shared ? "local_" : "global_";
}

std::string HelperSet::pointer(MemorySpace space, Type type, bool writable) const {
  std::string out = writable ? "" : "const ";
  if (dialect_ == Dialect::OpenCL) out += space == MemorySpace::Shared ? "__local " : "__global ";
  return out + std::string(storage_type(type)) + "*";
}

std::string HelperSet::as_bits(Type type, std::string_view value) const {
  if (dialect_ == Dialect::Cuda) {
    return type == Type::F32 ? fmt::format("__float_as_uint({})", value)
                             : fmt::format("(vy_u64)__double_as_longlong({})", value);
  }
  return type == Type::F32 ? fmt::format("as_uint({})", value) : fmt::format("as_ulong({})", value);
}

std::string HelperSet::libm(std::string_view fn, Type type) const {
  if (dialect_ == Dialect::Cuda && type == Type::F32) return fmt::format("{}f", fn);
  return std::string(fn);
}

std::string HelperSet::arith(std::string_view op, Type type) {
  std::string name = fmt::format("vy_{}_{}", op, type_suffix(type));
  if (!begin(name)) return name;
  const std::string t(value_type(type));
  const std::string u(value_type(unsigned_of(type)));
  const bool is_signed = ir::is_signed_integer(type);
  const unsigned mask = ir::bit_width(type) - 1;
  const std::string ab = fmt::format("{0} a, {0} b", t);
  std::string text;
  if (op == "add" || op == "sub" || op == "mul") {
    std::string_view sym = op == "add" ? "+" : (op == "sub" ? "-" : "*");
    if (is_signed) {
      text = fmt::format(
          "// Wrapping {0}: computed in the unsigned type of the same width.\n"
          "{1} {{\n  return ({2})(({3})a {4} ({3})b);\n}}\n",
          op, signature(t, name, ab), t, u, sym);
    } else {
      text = fmt::format("{} {{\n  return a {} b;\n}}\n", signature(t, name, ab), sym);
    }
  } else if (op == "neg") {
    text = fmt::format(
        "// Wrapping negation: the most negative value negates to itself.\n"
        "{} {{\n  return ({})({} - ({})a);\n}}\n",
        signature(t, name, t + " a"), t, zero(dialect_, unsigned_of(type)), u);
  } else if (op == "div") {
    if (is_signed) {
      std::string neg = arith("neg", type);
      text = fmt::format(
          "// Integer division is total: by zero yields 0, and MIN / -1 wraps to MIN.\n"
          "{} {{\n  if (b == 0) return 0;\n  if (b == -1) return {}(a);\n  return a / b;\n}}\n",
          signature(t, name, ab), neg);
    } else {
      text = fmt::format(
          "// Integer division is total: by zero yields 0.\n"
          "{} {{\n  return b == {} ? {} : a / b;\n}}\n",
          signature(t, name, ab), zero(dialect_, type), zero(dialect_, type));
    }
  } else if (op == "rem") {
    if (is_signed) {
      text = fmt::format(
          "// Remainder takes the dividend's sign; by zero it is 0, and MIN % -1 is 0.\n"
          "{} {{\n  if (b == 0 || b == -1) return 0;\n  return a % b;\n}}\n",
          signature(t, name, ab));
    } else {
      text = fmt::format("// Remainder by zero is 0.\n{} {{\n  return b == {} ? {} : a % b;\n}}\n",
                         signature(t, name, ab), zero(dialect_, type), zero(dialect_, type));
    }
  } else if (op == "shl") {
    text = fmt::format(
        "// Shift counts are taken modulo the bit width ({}).\n"
        "{} {{\n  return ({})(({})a << (({})b & {}));\n}}\n",
        ir::bit_width(type), signature(t, name, ab), t, u, u,
        literal(dialect_, unsigned_of(type), mask));
  } else if (op == "shr") {
    text = fmt::format(
        "// Shift counts are taken modulo the bit width ({}); >> is {}.\n"
        "{} {{\n  return a >> (({})b & {});\n}}\n",
        ir::bit_width(type), is_signed ? "arithmetic" : "logical", signature(t, name, ab), u,
        literal(dialect_, unsigned_of(type), mask));
  }
  finish(std::move(text));
  return name;
}

std::string HelperSet::float_to_int(Type from, Type to) {
  std::string name = fmt::format("vy_{}_to_{}", type_suffix(from), type_suffix(to));
  if (!begin(name)) return name;
  const std::string_view f = from == Type::F32 ? "f" : "";
  std::string upper;  // 2^(bits - signed): the first value out of range above
  switch (to) {
    case Type::I32:
      upper = "2147483648.0";
      break;
    case Type::U32:
      upper = "4294967296.0";
      break;
    case Type::I64:
      upper = "9223372036854775808.0";
      break;
    default:
      upper = "18446744073709551616.0";
      break;
  }
  const std::uint64_t max_bits = to == Type::I32   ? 0x7fffffffULL
                                 : to == Type::U32 ? 0xffffffffULL
                                 : to == Type::I64 ? 0x7fffffffffffffffULL
                                                   : ~0ULL;
  std::string lower_check;
  if (ir::is_signed_integer(to)) {
    const std::uint64_t min_bits = to == Type::I32 ? 0x80000000ULL : 0x8000000000000000ULL;
    lower_check =
        fmt::format("  if (x <= -{}{}) return {};\n", upper, f, literal(dialect_, to, min_bits));
  } else {
    lower_check = fmt::format("  if (x <= 0.0{}) return {};\n", f, zero(dialect_, to));
  }
  std::string t(value_type(to));
  finish(fmt::format(
      "// Float to integer: NaN is 0, out-of-range values saturate, the rest truncate toward\n"
      "// zero. (C's cast is undefined out of range, so it only ever sees in-range values.)\n"
      "{} {{\n  if (x != x) return {};\n  if (x >= {}{}) return {};\n{}  return ({})x;\n}}\n",
      signature(t, name, fmt::format("{} x", value_type(from))), zero(dialect_, to), upper, f,
      literal(dialect_, to, max_bits), lower_check, t));
  return name;
}

std::string HelperSet::load(MemorySpace space, Type type) {
  std::string name = fmt::format("vy_load_{}{}", space_tag(space), type_suffix(type));
  if (!begin(name)) return name;
  std::string params = pointer(space, type, false) + " m, vy_u64 n, vy_u64 i";
  std::string body = type == Type::Bool
                         ? "return i < n && m[i] != 0;"
                         : fmt::format("return i < n ? m[i] : {};", zero(dialect_, type));
  finish(fmt::format(
      "// Robust load: an index at or past the length reads 0 (a negative index converts to a\n"
      "// huge vy_u64, so it is out of bounds too).\n{} {{\n  {}\n}}\n",
      signature(value_type(type), name, params), body));
  return name;
}

std::string HelperSet::store(MemorySpace space, Type type) {
  std::string name = fmt::format("vy_store_{}{}", space_tag(space), type_suffix(type));
  if (!begin(name)) return name;
  std::string params =
      fmt::format("{} m, vy_u64 n, vy_u64 i, {} v", pointer(space, type, true), value_type(type));
  std::string body =
      type == Type::Bool ? "if (i < n) m[i] = (vy_u8)(v ? 1 : 0);" : "if (i < n) m[i] = v;";
  finish(
      fmt::format("// Robust store: a store at or past the length is dropped.\n{} {{\n  {}\n}}\n",
                  signature("void", name, params), body));
  return name;
}

std::string HelperSet::atomic(AtomicOp op, MemorySpace space, Type type) {
  std::string op_name(ir::atomic_op_name(op));  // "atomic_add"
  std::string name = fmt::format("vy_{}_{}{}", op_name, space_tag(space), type_suffix(type));
  if (!begin(name)) return name;
  const std::string t(value_type(type));
  const bool wide = ir::bit_width(type) == 64;
  const bool cas = op == AtomicOp::CompareExchange;
  std::string call;
  if (dialect_ == Dialect::OpenCL) {
    static constexpr std::array<std::string_view, 8> kNames = {"add", "min", "max",  "and",
                                                               "or",  "xor", "xchg", "cmpxchg"};
    std::string fn = fmt::format("{}_{}", wide ? "atom" : "atomic", kNames[static_cast<int>(op)]);
    call = cas ? fmt::format("{}(&m[i], expected, desired)", fn) : fmt::format("{}(&m[i], v)", fn);
  } else {
    static constexpr std::array<std::string_view, 8> kNames = {
        "atomicAdd", "atomicMin", "atomicMax",  "atomicAnd",
        "atomicOr",  "atomicXor", "atomicExch", "atomicCAS"};
    std::string_view fn = kNames[static_cast<int>(op)];
    // CUDA has signed 64-bit overloads only for min and max; the others take the bits as
    // unsigned long long, which gives the same result for two's complement values.
    bool via_unsigned = type == Type::I64 && op != AtomicOp::Min && op != AtomicOp::Max;
    if (via_unsigned) {
      call = cas ? fmt::format(
                       "(vy_i64){}((unsigned long long*)&m[i], (unsigned long long)expected, "
                       "(unsigned long long)desired)",
                       fn)
                 : fmt::format("(vy_i64){}((unsigned long long*)&m[i], (unsigned long long)v)", fn);
    } else {
      call =
          cas ? fmt::format("{}(&m[i], expected, desired)", fn) : fmt::format("{}(&m[i], v)", fn);
    }
  }
  std::string ptr = pointer(space, type, true);
  if (dialect_ == Dialect::OpenCL) ptr = "volatile " + ptr;
  std::string params =
      cas ? fmt::format("{} m, vy_u64 n, vy_u64 i, {} expected, {} desired", ptr, t, t)
          : fmt::format("{} m, vy_u64 n, vy_u64 i, {} v", ptr, t);
  finish(
      fmt::format("// {} returns the old value; out of bounds it does nothing and returns 0.\n"
                  "{} {{\n  return i < n ? {} : {};\n}}\n",
                  op_name, signature(t, name, params), call, zero(dialect_, type)));
  return name;
}

std::string HelperSet::for_next(Type type) {
  std::string name = fmt::format("vy_for_next_{}", type_suffix(type));
  if (!begin(name)) return name;
  const std::string t(value_type(type));
  const std::string u(value_type(unsigned_of(type)));
  finish(fmt::format(
      "// The next value of a for loop's variable (i < end): steps onto `end` rather than past\n"
      "// it, so the variable never overflows and the loop always ends.\n"
      "{0} {{\n  return (vy_u64)(({1})end - ({1})i) <= step ? end : ({2})(({1})i + "
      "({1})step);\n}}\n",
      signature(t, name, fmt::format("{} i, {} end, vy_u64 step", t, t)), u, t));
  return name;
}

std::string HelperSet::select(Type type) {
  std::string name = fmt::format("vy_select_{}", type_suffix(type));
  if (!begin(name)) return name;
  const std::string t(value_type(type));
  finish(
      fmt::format("// select() evaluates both operands (they hold atomics here), then picks one.\n"
                  "{} {{\n  return c ? a : b;\n}}\n",
                  signature(t, name, fmt::format("bool c, {0} a, {0} b", t))));
  return name;
}

std::string HelperSet::len32() {
  std::string name = "vy_len32";
  if (!begin(name)) return name;
  finish(
      fmt::format("// len(): the element count as u32, saturating at the largest u32.\n"
                  "{} {{\n  return n < {} ? (vy_u32)n : 4294967295u;\n}}\n",
                  signature("vy_u32", name, "vy_u64 n"), u64_literal(dialect_, 4294967295ULL)));
  return name;
}

std::string HelperSet::transcendental(std::string_view op, Type type, const std::string& name) {
  const std::string t(value_type(type));
  const bool binary = op == "pow";
  std::string params = binary ? fmt::format("{0} x, {0} y", t) : t + " x";
  unsigned bound = library_f32_bound(dialect_, op);
  if (type == Type::F32 && ulp_budget_ < bound && fp64_) {
    uses_f64_ = true;
    std::string args = binary ? "(vy_f64)x, (vy_f64)y" : "(vy_f64)x";
    return fmt::format(
        "// {0} in f64, rounded once to f32: the ULP budget ({1}) is tighter than the {2}-ULP\n"
        "// bound {3}'s f32 {0} guarantees.\n{4} {{\n  return (vy_f32){0}({5});\n}}\n",
        op, ulp_budget_, bound, dialect_name(dialect_), signature(t, name, params), args);
  }
  std::string args = binary ? "x, y" : "x";
  return fmt::format("{} {{\n  return {}({});\n}}\n", signature(t, name, params), libm(op, type),
                     args);
}

std::string HelperSet::math(std::string_view op, Type type) {
  std::string name = fmt::format("vy_{}_{}", op, type_suffix(type));
  if (is_transcendental(op)) {
    if (!ir::is_float(type)) return {};
    if (!begin(name)) return name;
    finish(transcendental(op, type, name));
    return name;
  }
  const std::string t(value_type(type));
  const std::string x = t + " x";
  const std::string ab = fmt::format("{0} a, {0} b", t);
  std::string text;
  if (op == "abs") {
    if (!begin(name)) return name;
    if (ir::is_float(type)) {
      text = fmt::format("{} {{\n  return {}(x);\n}}\n", signature(t, name, x), libm("fabs", type));
    } else if (ir::is_signed_integer(type)) {
      std::string neg = arith("neg", type);
      text = fmt::format(
          "// Integer abs wraps: abs(MIN) is MIN.\n{} {{\n  return x < 0 ? {}(x) : x;\n}}\n",
          signature(t, name, x), neg);
    } else {
      text = fmt::format("// abs is the identity on unsigned integers.\n{} {{\n  return x;\n}}\n",
                         signature(t, name, x));
    }
  } else if (op == "floor" || op == "ceil" || op == "trunc" || op == "round") {
    if (!ir::is_float(type)) return {};
    if (!begin(name)) return name;
    text = fmt::format(
        "// NaN passes through explicitly: PoCL 3.1 (LLVM 15) rounds through a float-to-int\n"
        "// conversion that is undefined for NaN, and drops the store when the NaN is a constant.\n"
        "{} {{\n  return isnan(x) ? x : {}(x);\n}}\n",
        signature(t, name, x), libm(op, type));
  } else if (op == "min" || op == "max") {
    if (!begin(name)) return name;
    const bool is_min = op == "min";
    if (ir::is_float(type)) {
      text = fmt::format(
          "// IEEE {0}Num: a NaN operand loses; {0}(-0, +0) is {1}0 in either order.\n"
          "{2} {{\n  if (a == b) return ({3} >> {4}) != 0 ? {5} : {6};\n  return {7}(a, b);\n}}\n",
          op, is_min ? "-" : "+", signature(t, name, ab), as_bits(type, "a"),
          ir::bit_width(type) - 1, is_min ? "a" : "b", is_min ? "b" : "a",
          libm(is_min ? "fmin" : "fmax", type));
    } else {
      text = fmt::format("{} {{\n  return {};\n}}\n", signature(t, name, ab),
                         is_min ? "b < a ? b : a" : "a < b ? b : a");
    }
  } else if (op == "clamp") {
    if (!ir::is_numeric(type)) return {};
    if (defined_.count(name) != 0) return name;
    std::string lo = math("max", type);
    std::string hi = math("min", type);
    begin(name);
    text = fmt::format(
        "// clamp(x, lo, hi) = min(max(x, lo), hi).\n{} {{\n  return {}({}(x, lo), hi);\n}}\n",
        signature(t, name, fmt::format("{0} x, {0} lo, {0} hi", t)), hi, lo);
  } else if (op == "popcount" || op == "clz" || op == "ctz") {
    if (!ir::is_integer(type)) return {};
    if (!begin(name)) return name;
    const bool wide = ir::bit_width(type) == 64;
    const std::string width = literal(dialect_, type, ir::bit_width(type));
    const std::string u(value_type(unsigned_of(type)));
    if (dialect_ == Dialect::OpenCL) {
      if (op == "ctz") {
        text = fmt::format(
            "// Trailing zero bits (the bit width for 0); OpenCL 1.2 has no ctz.\n"
            "{} {{\n  {} u = ({})x;\n  return u == {} ? {} : ({})popcount(~u & (u - {}));\n}}\n",
            signature(t, name, x), u, u, zero(dialect_, unsigned_of(type)), width, t,
            literal(dialect_, unsigned_of(type), 1));
      } else {
        text = fmt::format("{} {{\n  return {}(x);\n}}\n", signature(t, name, x), op);
      }
    } else {
      if (op == "popcount") {
        text =
            fmt::format("{} {{\n  return ({}){}(({})x);\n}}\n", signature(t, name, x), t,
                        wide ? "__popcll" : "__popc", wide ? "unsigned long long" : "unsigned int");
      } else if (op == "clz") {
        text = fmt::format(
            "// Leading zero bits (the bit width for 0).\n{} {{\n  return ({}){}(({})x);\n}}\n",
            signature(t, name, x), t, wide ? "__clzll" : "__clz", wide ? "long long" : "int");
      } else {
        text = fmt::format(
            "// Trailing zero bits (the bit width for 0), from the 1-based index __ffs gives.\n"
            "{} {{\n  return x == {} ? {} : ({})({}(({})x) - 1);\n}}\n",
            signature(t, name, x), zero(dialect_, type), width, t, wide ? "__ffsll" : "__ffs",
            wide ? "long long" : "int");
      }
    }
  } else {
    return {};
  }
  finish(std::move(text));
  return name;
}

void HelperSet::define_referenced(std::string_view text) {
  std::size_t pos = 0;
  while ((pos = text.find("vy_", pos)) != std::string_view::npos) {
    if (pos > 0 &&
        (std::isalnum(static_cast<unsigned char>(text[pos - 1])) || text[pos - 1] == '_')) {
      pos += 3;
      continue;
    }
    std::size_t end = pos + 3;
    while (end < text.size() &&
           (std::isalnum(static_cast<unsigned char>(text[end])) || text[end] == '_')) {
      ++end;
    }
    std::string_view word = text.substr(pos + 3, end - pos - 3);  // "exp_f32"
    std::size_t split = word.rfind('_');
    if (split != std::string_view::npos) {
      std::string suffix(word.substr(split + 1));
      if (auto type = ir::type_from_name(suffix)) math(word.substr(0, split), *type);
    }
    pos = end;
  }
}

}  // namespace vyre::codegen::detail
