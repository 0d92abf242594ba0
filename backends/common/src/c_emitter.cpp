// emit_c_kernel(): walks a checked Program and prints one C-family kernel. Statements map to C
// statements one for one; every operation whose C meaning differs from the IR's goes through a
// prelude helper (helpers.h), so the generated text shows where vyre's semantics are enforced.
#include "vyre/backends/c_emitter.h"

#include <fmt/format.h>

#include "helpers.h"
#include "prelude.h"
#include "spelling.h"
#include "vyre/diag/codes.h"
#include "vyre/ir/loop_status.h"
#include "vyre/ir/ops.h"

namespace vyre::codegen {

using ir::BinaryOp;
using ir::Expr;
using ir::ExprKind;
using ir::MemorySpace;
using ir::Stmt;
using ir::StmtKind;
using ir::Type;
using ir::UnaryOp;

std::string_view dialect_name(Dialect dialect) {
  return dialect == Dialect::Cuda ? "cuda" : "opencl";
}

std::vector<KernelArg> kernel_args(const ir::Program& program) {
  std::vector<KernelArg> args;
  const ir::ProgramData& p = program.data();
  for (std::uint32_t i = 0; i < p.buffers.size(); ++i) {
    args.push_back({KernelArg::BufferPointer, i});
    args.push_back({KernelArg::BufferLength, i});
  }
  for (std::uint32_t i = 0; i < p.params.size(); ++i) args.push_back({KernelArg::Param, i});
  for (std::uint32_t i = 0; i < p.size_symbols.size(); ++i) args.push_back({KernelArg::Size, i});
  return args;
}

bool has_kernel_args(std::span<const KernelArg> args, const ir::Program& program) {
  const ir::ProgramData& p = program.data();
  if (args.size() != 2 * p.buffers.size() + p.params.size() + p.size_symbols.size()) return false;
  std::size_t at = 0;
  auto next_is = [&](KernelArg::Kind kind, std::uint32_t index) {
    const KernelArg& arg = args[at++];
    return arg.kind == kind && arg.index == index;
  };
  for (std::uint32_t i = 0; i < p.buffers.size(); ++i) {
    if (!next_is(KernelArg::BufferPointer, i) || !next_is(KernelArg::BufferLength, i)) return false;
  }
  for (std::uint32_t i = 0; i < p.params.size(); ++i) {
    if (!next_is(KernelArg::Param, i)) return false;
  }
  for (std::uint32_t i = 0; i < p.size_symbols.size(); ++i) {
    if (!next_is(KernelArg::Size, i)) return false;
  }
  return true;
}

namespace {

using detail::c_name;
using detail::HelperSet;
using detail::literal;
using detail::storage_type;
using detail::type_suffix;
using detail::value_type;
using detail::zero;

// `text` without one pair of parentheses around all of it, for statement contexts where they
// only add noise: "(a + b)" -> "a + b", but "(a) + (b)" stays.
std::string bare(std::string text) {
  if (text.size() < 2 || text.front() != '(' || text.back() != ')') return text;
  int depth = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '(') ++depth;
    if (text[i] == ')' && --depth == 0 && i + 1 != text.size()) return text;
  }
  return text.substr(1, text.size() - 2);
}

class KernelEmitter {
 public:
  KernelEmitter(const ir::Program& program, const EmitOptions& options)
      : program_(program),
        p_(program.data()),
        opt_(options),
        d_(options.dialect),
        backend_(options.backend_id.empty() ? std::string(dialect_name(options.dialect))
                                            : options.backend_id),
        lowerings_(options.lowerings != nullptr ? *options.lowerings
                                                : c_lowerings(options.dialect)),
        helpers_(options.dialect, options.ulp_budget, options.fp64) {}

  Result<KernelParts> run() {
    for (Type t : p_.local_types) note_type(t);
    for (const auto& param : p_.params) note_type(param.type);
    for (const auto& buffer : p_.buffers) note_type(buffer.element);
    for (const auto& shared : p_.shared) note_type(shared.element);
    indent_ = 1;
    block(p_.body);
    if (uses_f64_ && !opt_.fp64) {
      fail(fmt::format("kernel `{}` uses f64, which this {} device does not support", p_.name,
                       dialect_name(d_)),
           "run it on a device with fp64 (cl_khr_fp64), or convert the program to f32");
    }
    if (!errors_.empty()) {
      Diagnostic first = std::move(errors_.front());
      for (std::size_t i = 1; i < errors_.size(); ++i) first.more.push_back(std::move(errors_[i]));
      return first;
    }
    KernelParts out;
    out.dialect = d_;
    out.entry = opt_.entry;
    out.args = kernel_args(program_);
    out.header = header();
    out.summary = fmt::format("// kernel `{}` ({}): program digest {}; workgroup ({}, {}, {})\n",
                              p_.name, opt_.entry, to_hex(program_.digest()), opt_.workgroup[0],
                              opt_.workgroup[1], opt_.workgroup[2]);
    out.f64 = uses_f64_ || helpers_.uses_f64();
    out.int64_atomics = uses_int64_atomics_;
    out.helpers = helpers_.definitions();
    out.kernel = kernel();
    return out;
  }

 private:
  // ---- names ------------------------------------------------------------------------------------
  // The loop status buffer gets a vy_ name (generated names only), so no user buffer's
  // sanitised name can collide with it.
  std::string buffer_name(std::uint32_t i) const {
    return ir::is_loop_status_buffer(p_.buffers[i]) ? "vy_loop_status"
                                                    : c_name("b_", p_.buffers[i].name);
  }
  std::string length_name(std::uint32_t i) const {
    return ir::is_loop_status_buffer(p_.buffers[i]) ? "vy_len_loop_status"
                                                    : c_name("len_", p_.buffers[i].name);
  }
  std::string shared_name(std::uint32_t i) const { return c_name("sh_", p_.shared[i].name); }
  std::string param_name(std::uint32_t i) const { return c_name("p_", p_.params[i].name); }
  std::string size_name(std::uint32_t i) const { return c_name("s_", p_.size_symbols[i]); }
  std::string local_name(std::uint32_t slot) const { return c_name("v_", p_.local_names[slot]); }
  std::string memory_name(MemorySpace space, std::uint32_t i) const {
    return space == MemorySpace::Buffer ? buffer_name(i) : shared_name(i);
  }
  std::string memory_count(MemorySpace space, std::uint32_t i) const {
    return space == MemorySpace::Buffer ? length_name(i)
                                        : detail::u64_literal(d_, p_.shared[i].count);
  }
  Type element(MemorySpace space, std::uint32_t i) const {
    return space == MemorySpace::Buffer ? p_.buffers[i].element : p_.shared[i].element;
  }
  std::string fresh(std::string_view stem) { return fmt::format("vy_{}_{}", stem, counter_++); }

  void note_type(Type t) {
    if (t == Type::F64) uses_f64_ = true;
  }

  void fail(std::string message, std::string help) {
    errors_.push_back(
        Diagnostic::error(code::BackendLacksFeature, std::move(message), std::move(help)));
  }

  // ---- expressions ------------------------------------------------------------------------------
  std::string expr(const Expr& e) {
    note_type(e.type);
    switch (e.kind) {
      case ExprKind::Literal:
        return literal(d_, e.type, e.bits);
      case ExprKind::Local:
        return local_name(e.ref);
      case ExprKind::Param:
        return param_name(e.ref);
      case ExprKind::Size:
        return size_name(e.ref);
      case ExprKind::Builtin:
        return builtin(e);
      case ExprKind::Load:
        return fmt::format("{}({}, {}, {})", helpers_.load(e.space, element(e.space, e.ref)),
                           memory_name(e.space, e.ref), memory_count(e.space, e.ref),
                           bare(expr(*e.args[0])));
      case ExprKind::Len:
        if (e.space == MemorySpace::Shared) {
          return literal(d_, Type::U32,
                         std::min<std::uint64_t>(p_.shared[e.ref].count, UINT32_MAX));
        }
        return fmt::format("{}({})", helpers_.len32(), length_name(e.ref));
      case ExprKind::Unary:
        return unary(e);
      case ExprKind::Binary:
        return binary(e);
      case ExprKind::Select:
        // Like the reference backend, only the chosen arm is evaluated (an atomic in the other
        // has no effect): exactly C's conditional operator.
        return fmt::format("({} ? {} : {})", expr(*e.args[0]), expr(*e.args[1]), expr(*e.args[2]));
      case ExprKind::Cast:
        return cast(e);
      case ExprKind::Atomic:
        return atomic(e);
      case ExprKind::Call:
        return call(e);
    }
    return "0";
  }

  std::string builtin(const Expr& e) const {
    static constexpr const char* kAxis[] = {"x", "y", "z"};
    const unsigned c = e.component;
    const auto which = static_cast<ir::Builtin>(e.op);
    if (d_ == Dialect::Cuda) {
      const char* axis = kAxis[c];
      switch (which) {
        case ir::Builtin::GlobalId:
          return fmt::format("(blockIdx.{0} * blockDim.{0} + threadIdx.{0})", axis);
        case ir::Builtin::LocalId:
          return fmt::format("threadIdx.{}", axis);
        case ir::Builtin::GroupId:
          return fmt::format("blockIdx.{}", axis);
        case ir::Builtin::NumGroups:
          return fmt::format("gridDim.{}", axis);
        case ir::Builtin::GroupSize:
          return fmt::format("blockDim.{}", axis);
      }
    }
    const char* fn = "get_global_id";
    switch (which) {
      case ir::Builtin::GlobalId:
        fn = "get_global_id";
        break;
      case ir::Builtin::LocalId:
        fn = "get_local_id";
        break;
      case ir::Builtin::GroupId:
        fn = "get_group_id";
        break;
      case ir::Builtin::NumGroups:
        fn = "get_num_groups";
        break;
      case ir::Builtin::GroupSize:
        fn = "get_local_size";
        break;
    }
    return fmt::format("((vy_u32){}({}))", fn, c);
  }

  std::string unary(const Expr& e) {
    const Expr& a = *e.args[0];
    std::string x = expr(a);
    switch (static_cast<UnaryOp>(e.op)) {
      case UnaryOp::Neg:
        if (ir::is_float(a.type)) return fmt::format("(-{})", x);
        if (ir::is_signed_integer(a.type))
          return fmt::format("{}({})", helpers_.arith("neg", a.type), x);
        return fmt::format("({} - {})", zero(d_, a.type), x);
      case UnaryOp::Not:
        return fmt::format("(!{})", x);
      case UnaryOp::BitNot:
        return fmt::format("(~{})", x);
    }
    return x;
  }

  std::string binary(const Expr& e) {
    const auto op = static_cast<BinaryOp>(e.op);
    const Type t = e.args[0]->type;
    std::string a = expr(*e.args[0]);
    std::string b = expr(*e.args[1]);
    auto infix = [&](std::string_view sym) { return fmt::format("({} {} {})", a, sym, b); };
    auto helper = [&](std::string_view name) {
      return fmt::format("{}({}, {})", helpers_.arith(name, t), a, b);
    };
    const bool signed_int = ir::is_signed_integer(t);
    const bool integer = ir::is_integer(t);
    switch (op) {
      case BinaryOp::Add:
        return signed_int ? helper("add") : infix("+");
      case BinaryOp::Sub:
        return signed_int ? helper("sub") : infix("-");
      case BinaryOp::Mul:
        return signed_int ? helper("mul") : infix("*");
      case BinaryOp::Div:
        return integer ? helper("div") : infix("/");
      case BinaryOp::Rem:
        return helper("rem");
      case BinaryOp::BitAnd:
        return t == Type::Bool ? fmt::format("((bool){})", infix("&")) : infix("&");
      case BinaryOp::BitOr:
        return t == Type::Bool ? fmt::format("((bool){})", infix("|")) : infix("|");
      case BinaryOp::BitXor:
        return t == Type::Bool ? fmt::format("((bool){})", infix("^")) : infix("^");
      case BinaryOp::Shl:
        return helper("shl");
      case BinaryOp::Shr:
        return helper("shr");
      case BinaryOp::Eq:
        return infix("==");
      case BinaryOp::Ne:
        return infix("!=");
      case BinaryOp::Lt:
        return infix("<");
      case BinaryOp::Le:
        return infix("<=");
      case BinaryOp::Gt:
        return infix(">");
      case BinaryOp::Ge:
        return infix(">=");
      case BinaryOp::LogicalAnd:
        return infix("&&");
      case BinaryOp::LogicalOr:
        return infix("||");
    }
    return a;
  }

  std::string cast(const Expr& e) {
    const Type from = e.args[0]->type;
    const Type to = e.type;
    std::string x = expr(*e.args[0]);
    if (from == to) return x;
    if (to == Type::Bool) return fmt::format("({} != {})", x, zero(d_, from));  // NaN is true
    if (ir::is_float(from) && ir::is_integer(to)) {
      return fmt::format("{}({})", helpers_.float_to_int(from, to), x);
    }
    // bool -> number (0/1), integer -> integer (wraps, two's complement), integer -> float and
    // float -> float (round to nearest even): C's conversions already mean this.
    return fmt::format("(({}){})", value_type(to), x);
  }

  std::string atomic(const Expr& e) {
    const Type t = element(e.space, e.ref);
    const auto op = static_cast<ir::AtomicOp>(e.op);
    if (d_ == Dialect::OpenCL && ir::bit_width(t) == 64) {
      uses_int64_atomics_ = true;
      if (!opt_.int64_atomics) {
        fail(fmt::format("{} on 64-bit `{}` needs cl_khr_int64_base_atomics and "
                         "cl_khr_int64_extended_atomics, which this device lacks",
                         ir::atomic_op_name(op), e.name),
             "use 32-bit elements for atomics, or a device with 64-bit atomics");
      }
    }
    std::string out = fmt::format("{}({}, {}", helpers_.atomic(op, e.space, t),
                                  memory_name(e.space, e.ref), memory_count(e.space, e.ref));
    for (const auto& arg : e.args) out += ", " + bare(expr(*arg));
    return out + ")";
  }

  std::string call(const Expr& e) {
    std::vector<std::string> args;
    for (const auto& arg : e.args) args.push_back(bare(expr(*arg)));
    auto lowering = lowerings_.find(e.name);
    if (lowering == lowerings_.end()) {
      fail(fmt::format("op `{}` has no lowering for backend `{}`", e.name, backend_),
           "call only ops this backend supports (docs/IR.md section 6.7 lists the built-in "
           "ones), or choose another backend");
      return "0";
    }
    const Type t = e.args.empty() ? e.type : e.args[0]->type;
    // Template: {0} {1} {2} = arguments, {T} = type suffix ("f32"), {f} = "f" for f32 (C libm).
    std::string out;
    const std::string& tpl = lowering->second;
    for (std::size_t i = 0; i < tpl.size(); ++i) {
      if (tpl[i] == '{') {
        std::size_t close = tpl.find('}', i);
        if (close != std::string::npos) {
          std::string_view key(tpl.data() + i + 1, close - i - 1);
          if (key.size() == 1 && key[0] >= '0' && key[0] <= '9' &&
              static_cast<std::size_t>(key[0] - '0') < args.size()) {
            out += args[key[0] - '0'];
            i = close;
            continue;
          }
          if (key == "T") {
            out += type_suffix(t);
            i = close;
            continue;
          }
          if (key == "f") {
            if (t == Type::F32) out += 'f';
            i = close;
            continue;
          }
        }
      }
      out += tpl[i];
    }
    helpers_.define_referenced(out);
    return out;
  }

  // ---- statements -------------------------------------------------------------------------------
  void line(std::string_view text) {
    body_.append(static_cast<std::size_t>(indent_) * 2, ' ');
    body_ += text;
    body_ += '\n';
  }

  void block(const std::vector<Stmt>& stmts) {
    for (const Stmt& s : stmts) stmt(s);
  }

  void nested(const std::vector<Stmt>& stmts) {
    ++indent_;
    block(stmts);
    --indent_;
  }

  // A value that cannot change while a loop runs, so it need not be copied before the loop.
  static bool invariant(const Expr& e) {
    return e.kind == ExprKind::Literal || e.kind == ExprKind::Param || e.kind == ExprKind::Size ||
           e.kind == ExprKind::Len;
  }

  void stmt(const Stmt& s) {
    switch (s.kind) {
      case StmtKind::Let:
      case StmtKind::Var: {
        Type t = p_.local_types[s.ref];
        line(fmt::format("{}{} {} = {};", s.kind == StmtKind::Let ? "const " : "", value_type(t),
                         local_name(s.ref), bare(expr(*s.exprs[0]))));
        return;
      }
      case StmtKind::Assign:
        line(fmt::format("{} = {};", local_name(s.ref), bare(expr(*s.exprs[0]))));
        return;
      case StmtKind::Store: {
        Type t = element(s.space, s.ref);
        std::string index = bare(expr(*s.exprs[0]));
        std::string value = bare(expr(*s.exprs[1]));
        line(fmt::format("{}({}, {}, {}, {});", helpers_.store(s.space, t),
                         memory_name(s.space, s.ref), memory_count(s.space, s.ref), index, value));
        return;
      }
      case StmtKind::If:
        emit_if(s, "if");
        line("}");
        return;
      case StmtKind::For:
        emit_for(s);
        return;
      case StmtKind::While:
        emit_while(s);
        return;
      case StmtKind::Break:
        line("break;");
        return;
      case StmtKind::Continue:
        line("continue;");
        return;
      case StmtKind::Barrier:
        line(d_ == Dialect::Cuda ? "__syncthreads();"
                                 : "barrier(CLK_LOCAL_MEM_FENCE | CLK_GLOBAL_MEM_FENCE);");
        return;
      case StmtKind::Return:
        line("return;");
        return;
      case StmtKind::Eval:
        line(fmt::format("(void){};", bare(expr(*s.exprs[0]))));
        return;
    }
  }

  // Prints `if (...) {` ... and any else / else-if chain, leaving the final "}" to the caller.
  void emit_if(const Stmt& s, std::string_view keyword) {
    std::string cond = bare(expr(*s.exprs[0]));
    if (keyword == "if") {
      line(fmt::format("if ({}) {{", cond));
    } else {
      line(fmt::format("}} else if ({}) {{", cond));
    }
    nested(s.body);
    if (s.orelse.empty()) return;
    if (s.orelse.size() == 1 && s.orelse[0].kind == StmtKind::If) {
      emit_if(s.orelse[0], "else if");
      return;
    }
    line("} else {");
    nested(s.orelse);
  }

  // The condition is tested before every iteration; when it still holds after max_iterations,
  // the loop has reached its cap: it records its id in the loop status buffer (the runtime then
  // reports it, docs/IR.md section 8) and ends.
  void emit_while(const Stmt& s) {
    std::string counter = fresh("iteration");
    std::string cond = bare(expr(*s.exprs[0]));
    line(fmt::format("// while loop {}, capped at {} iterations (reaching the cap is reported)",
                     s.ref, s.max_iterations));
    line(fmt::format("for (vy_u64 {0} = 0; {1}; ++{0}) {{", counter, cond));
    ++indent_;
    line(fmt::format("if ({} == {}) {{", counter, detail::u64_literal(d_, s.max_iterations)));
    if (auto status = ir::loop_status_buffer(p_)) {
      line(fmt::format("  (void){}({}, {}, {}, {});",
                       helpers_.atomic(ir::AtomicOp::Max, MemorySpace::Buffer, Type::U32),
                       buffer_name(*status), length_name(*status), literal(d_, Type::U32, 0),
                       literal(d_, Type::U32, s.ref)));
    }
    line("  break;");
    line("}");
    --indent_;
    nested(s.body);
    line("}");
  }

  void emit_for(const Stmt& s) {
    const Type t = s.type;
    const std::string var = local_name(s.ref);
    std::string start = bare(expr(*s.exprs[0]));
    std::string end = bare(expr(*s.exprs[1]));
    std::string init = fmt::format("{} {} = {}", value_type(t), var, start);
    if (!invariant(*s.exprs[1])) {  // the end bound is evaluated once, before the first iteration
      std::string bound = fresh("end");
      init += fmt::format(", {} = {}", bound, end);
      end = bound;
    }
    std::string next = s.step == 1
                           ? fmt::format("++{}", var)  // i < end, so ++i cannot overflow
                           : fmt::format("{0} = {1}({0}, {2}, {3})", var, helpers_.for_next(t), end,
                                         detail::u64_literal(d_, s.step));
    line(fmt::format("for ({}; {} < {}; {}) {{", init, var, end, next));
    nested(s.body);
    line("}");
  }

  // ---- assembly ---------------------------------------------------------------------------------
  std::string header() const {
    std::string out = fmt::format(
        "// vyre kernel `{}`, generated {} source. Do not edit: regenerate with `vyre emit`.\n"
        "// program digest {}\n"
        "// workgroup ({}, {}, {}); ULP budget {}\n",
        p_.name, d_ == Dialect::Cuda ? "CUDA C" : "OpenCL C 1.2", to_hex(program_.digest()),
        opt_.workgroup[0], opt_.workgroup[1], opt_.workgroup[2], opt_.ulp_budget);
    return out + detail::build_note(d_) + "\n";
  }

  std::string kernel() const {
    std::vector<std::string> params;
    std::vector<std::string> preamble;
    for (std::uint32_t i = 0; i < p_.buffers.size(); ++i) {
      const ir::BufferDecl& b = p_.buffers[i];
      std::string type(storage_type(b.element));
      bool writable = ir::can_write(b.access);
      if (d_ == Dialect::Cuda) {
        params.push_back(
            fmt::format("{}{}* __restrict__ {}", writable ? "" : "const ", type, buffer_name(i)));
      } else {
        params.push_back(fmt::format("__global {}{}* restrict {}", writable ? "" : "const ", type,
                                     buffer_name(i)));
      }
      params.push_back(fmt::format("vy_u64 {}", length_name(i)));
    }
    for (std::uint32_t i = 0; i < p_.params.size(); ++i) {
      const ir::ParamDecl& param = p_.params[i];
      if (param.type == Type::Bool) {
        std::string raw = c_name("arg_", param.name);
        params.push_back("vy_u32 " + raw);
        preamble.push_back(fmt::format("const bool {} = {} != 0u;", param_name(i), raw));
      } else {
        params.push_back(fmt::format("{} {}", value_type(param.type), param_name(i)));
      }
    }
    for (std::uint32_t i = 0; i < p_.size_symbols.size(); ++i) {
      params.push_back("vy_u32 " + size_name(i));
    }

    std::string out;
    const auto& wg = opt_.workgroup;
    if (d_ == Dialect::Cuda) {
      out += fmt::format("extern \"C\" __global__ void __launch_bounds__({}) {}(",
                         std::uint64_t{wg[0]} * wg[1] * wg[2], opt_.entry);
    } else {
      out += fmt::format("__kernel __attribute__((reqd_work_group_size({}, {}, {}))) void {}(",
                         wg[0], wg[1], wg[2], opt_.entry);
    }
    if (params.empty()) {
      out += d_ == Dialect::Cuda ? ")" : "void)";
    } else {
      for (std::size_t i = 0; i < params.size(); ++i) {
        out += "\n    " + params[i] + (i + 1 < params.size() ? "," : ")");
      }
    }
    out += " {\n";
    for (const std::string& text : preamble) out += "  " + text + "\n";
    if (!p_.shared.empty()) {
      for (std::uint32_t i = 0; i < p_.shared.size(); ++i) {
        const ir::SharedDecl& s = p_.shared[i];
        out += fmt::format("  {} {} {}[{}];\n", d_ == Dialect::Cuda ? "__shared__" : "__local",
                           storage_type(s.element), shared_name(i), s.count);
      }
      // Shared memory starts zeroed on every vyre backend: clear it cooperatively, then wait.
      std::string lid = d_ == Dialect::Cuda
                            ? "(threadIdx.z * blockDim.y + threadIdx.y) * blockDim.x + threadIdx.x"
                            : "(vy_u32)get_local_linear_id()";
      if (d_ == Dialect::OpenCL) {  // get_local_linear_id is OpenCL 2.0
        lid =
            "((vy_u32)get_local_id(2) * (vy_u32)get_local_size(1) + (vy_u32)get_local_id(1)) * "
            "(vy_u32)get_local_size(0) + (vy_u32)get_local_id(0)";
      }
      out += "  // Shared arrays start zeroed, as on every vyre backend.\n";
      out += fmt::format("  const vy_u32 vy_local_index = {};\n", lid);
      out += "  for (vy_u32 vy_k = vy_local_index; ";
      std::uint64_t largest = 0;
      for (const auto& s : p_.shared) largest = std::max(largest, s.count);
      out += fmt::format("vy_k < {}u; vy_k += {}u) {{\n", largest,
                         std::uint64_t{wg[0]} * wg[1] * wg[2]);
      for (std::uint32_t i = 0; i < p_.shared.size(); ++i) {
        const ir::SharedDecl& s = p_.shared[i];
        if (s.count == largest) {
          out += fmt::format("    {}[vy_k] = 0;\n", shared_name(i));
        } else {
          out += fmt::format("    if (vy_k < {}u) {}[vy_k] = 0;\n", s.count, shared_name(i));
        }
      }
      out += "  }\n";
      out += d_ == Dialect::Cuda ? "  __syncthreads();\n" : "  barrier(CLK_LOCAL_MEM_FENCE);\n";
    }
    out += body_;
    out += "}\n";
    return out;
  }

  const ir::Program& program_;
  const ir::ProgramData& p_;
  EmitOptions opt_;
  Dialect d_;
  std::string backend_;
  const LoweringTable& lowerings_;
  HelperSet helpers_;
  std::string body_;
  int indent_ = 1;
  int counter_ = 0;
  bool uses_f64_ = false;
  bool uses_int64_atomics_ = false;
  std::vector<Diagnostic> errors_;
};

}  // namespace

Result<KernelParts> emit_c_kernel_parts(const ir::Program& program, const EmitOptions& options) {
  return KernelEmitter(program, options).run();
}

Result<KernelSource> emit_c_kernel(const ir::Program& program, const EmitOptions& options) {
  KernelParts parts = VYRE_TRY(emit_c_kernel_parts(program, options));
  KernelSource out;
  out.source = parts.header +
               detail::prelude(parts.dialect, parts.f64, parts.int64_atomics, parts.helpers) +
               parts.kernel;
  out.entry = std::move(parts.entry);
  out.args = std::move(parts.args);
  return out;
}

}  // namespace vyre::codegen
