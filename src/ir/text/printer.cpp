// The canonical printer: explicit bindings, suffixed literals, bit-exact floats, two-space
// indentation and only the parentheses the grammar needs. Its output parses back to an equal
// program, and printing that again gives the same text.
#include <string>

#include "ir/text/literal.h"
#include "vyre/ir/loop_status.h"
#include "vyre/ir/text.h"

namespace vyre::ir {
namespace text {
namespace {

// Must agree with the parser's table (parser.cpp): higher binds tighter.
int precedence(BinaryOp op) {
  switch (op) {
    case BinaryOp::LogicalOr:
      return 1;
    case BinaryOp::LogicalAnd:
      return 2;
    case BinaryOp::Eq:
    case BinaryOp::Ne:
      return 3;
    case BinaryOp::Lt:
    case BinaryOp::Le:
    case BinaryOp::Gt:
    case BinaryOp::Ge:
      return 4;
    case BinaryOp::BitOr:
      return 5;
    case BinaryOp::BitXor:
      return 6;
    case BinaryOp::BitAnd:
      return 7;
    case BinaryOp::Shl:
    case BinaryOp::Shr:
      return 8;
    case BinaryOp::Add:
    case BinaryOp::Sub:
      return 9;
    case BinaryOp::Mul:
    case BinaryOp::Div:
    case BinaryOp::Rem:
      return 10;
  }
  return 0;
}
constexpr int kUnaryPrecedence = 11;

std::string size_text(const SizeExpr& size) {
  std::string out;
  if (size.constant != 1 || size.symbols.empty()) out = std::to_string(size.constant);
  for (const std::string& symbol : size.symbols) {
    if (!out.empty()) out += '*';
    out += symbol;
  }
  return out;
}

class Printer {
 public:
  std::string print(const ProgramData& p) {
    out_ = "kernel " + p.name + " workgroup(" + std::to_string(p.workgroup[0]);
    // Trailing dimensions of 1 are implied.
    const int dims = p.workgroup[2] != 1 ? 3 : p.workgroup[1] != 1 ? 2 : 1;
    for (int i = 1; i < dims; ++i) out_ += ", " + std::to_string(p.workgroup[i]);
    out_ += ")";
    if (!p.dispatch.empty()) {
      out_ += " dispatch(";
      for (std::size_t i = 0; i < p.dispatch.size(); ++i) {
        if (i != 0) out_ += ", ";
        out_ += size_text(p.dispatch[i]);
      }
      out_ += ")";
    }
    out_ += " {\n";
    indent_ = 1;
    for (const ParamDecl& param : p.params) {
      line("param " + param.name + ": " + std::string(type_name(param.type)));
    }
    for (const BufferDecl& buffer : p.buffers) {
      if (is_loop_status_buffer(buffer)) continue;  // check() adds it back
      line("buffer " + buffer.name + ": " + std::string(access_name(buffer.access)) + " " +
           std::string(type_name(buffer.element)) + "[" + size_text(buffer.count) + "] binding(" +
           std::to_string(buffer.binding) + ")");
    }
    for (const SharedDecl& shared : p.shared) {
      line("shared " + shared.name + ": " + std::string(type_name(shared.element)) + "[" +
           std::to_string(shared.count) + "]");
    }
    for (const ConstDecl& c : p.constants) {
      std::string text = "const " + c.name;
      if (c.type != Type::Unknown) text += ": " + std::string(type_name(c.type));
      line(text + " = " + (c.value ? source_literal(*c.value) : std::string("<missing>")));
    }
    const bool has_decls =
        !p.params.empty() || !p.buffers.empty() || !p.shared.empty() || !p.constants.empty();
    if (has_decls && !p.body.empty()) out_ += "\n";
    statements(p.body);
    out_ += "}\n";
    return std::move(out_);
  }

 private:
  void line(const std::string& text) {
    out_.append(2 * indent_, ' ');
    out_ += text;
    out_ += '\n';
  }

  void statements(const std::vector<Stmt>& body) {
    for (const Stmt& s : body) statement(s);
  }

  // Prints `head {`, the body and `}`; an empty body as `head {}`.
  void block(const std::string& head, const std::vector<Stmt>& body) {
    if (body.empty()) {
      line(head + " {}");
      return;
    }
    line(head + " {");
    nested(body);
    line("}");
  }

  std::string expr_at(const std::vector<ExprPtr>& exprs, std::size_t i) const {
    return i < exprs.size() && exprs[i] ? expr(*exprs[i]) : std::string("<missing>");
  }

  void statement(const Stmt& s) {
    switch (s.kind) {
      case StmtKind::Let:
      case StmtKind::Var: {
        std::string text = (s.kind == StmtKind::Let ? "let " : "var ") + s.name;
        if (s.type_declared && s.type != Type::Unknown)
          text += ": " + std::string(type_name(s.type));
        line(text + " = " + expr_at(s.exprs, 0));
        return;
      }
      case StmtKind::Assign:
        line(s.name + " = " + expr_at(s.exprs, 0));
        return;
      case StmtKind::Store:
        line(s.name + "[" + expr_at(s.exprs, 0) + "] = " + expr_at(s.exprs, 1));
        return;
      case StmtKind::If:
        if_chain(s);
        return;
      case StmtKind::For: {
        std::string head =
            "for " + s.name + " in " + expr_at(s.exprs, 0) + ".." + expr_at(s.exprs, 1);
        if (s.step != 1) head += " step " + std::to_string(s.step);
        block(head, s.body);
        return;
      }
      case StmtKind::While: {
        std::string head = "while " + expr_at(s.exprs, 0);
        if (s.max_iterations != 0) head += " max " + std::to_string(s.max_iterations);
        block(head, s.body);
        return;
      }
      case StmtKind::Break:
        line("break");
        return;
      case StmtKind::Continue:
        line("continue");
        return;
      case StmtKind::Barrier:
        line("barrier()");
        return;
      case StmtKind::Return:
        line("return");
        return;
      case StmtKind::Eval:
        line(expr_at(s.exprs, 0));
        return;
    }
  }

  // An else-body that is exactly one if prints as `else if`, which parses back to that shape.
  // Chains are walked in a loop, so their length costs no stack.
  void if_chain(const Stmt& first) {
    const std::string head = "if " + expr_at(first.exprs, 0);
    if (first.orelse.empty()) {
      block(head, first.body);
      return;
    }
    line(head + " {");
    const Stmt* current = &first;
    for (;;) {
      nested(current->body);
      const std::vector<Stmt>& orelse = current->orelse;
      if (orelse.empty()) break;
      if (orelse.size() == 1 && orelse[0].kind == StmtKind::If) {
        current = &orelse[0];
        line("} else if " + expr_at(current->exprs, 0) + " {");
        continue;
      }
      line("} else {");
      nested(orelse);
      break;
    }
    line("}");
  }

  void nested(const std::vector<Stmt>& body) {
    ++indent_;
    statements(body);
    --indent_;
  }

  std::string expr(const Expr& e) const {
    switch (e.kind) {
      case ExprKind::Literal:
        return e.name.empty() ? format_literal(e) : e.name;  // a use of a const
      case ExprKind::Local:
      case ExprKind::Param:
      case ExprKind::Size:
        return e.name;
      case ExprKind::Builtin: {
        static constexpr char kComponents[] = {'x', 'y', 'z'};
        return std::string(builtin_name(static_cast<Builtin>(e.op))) + "." +
               kComponents[e.component < 3 ? e.component : 0];
      }
      case ExprKind::Load:
        return e.name + "[" + expr_at(e.args, 0) + "]";
      case ExprKind::Len:
        return "len(" + e.name + ")";
      case ExprKind::Unary: {
        const std::string operand = expr_at(e.args, 0);
        const bool wrap = !e.args.empty() && e.args[0] && e.args[0]->kind == ExprKind::Binary;
        return std::string(unary_op_symbol(static_cast<UnaryOp>(e.op))) +
               (wrap ? "(" + operand + ")" : operand);
      }
      case ExprKind::Binary: {
        const auto op = static_cast<BinaryOp>(e.op);
        const int prec = precedence(op);
        return operand(e, 0, prec) + " " + std::string(binary_op_symbol(op)) + " " +
               operand(e, 1, prec + 1);
      }
      case ExprKind::Select:
        return "select(" + arguments(e.args, 0) + ")";
      case ExprKind::Cast:
        return std::string(type_name(e.type)) + "(" + expr_at(e.args, 0) + ")";
      case ExprKind::Atomic:
        return std::string(atomic_op_name(static_cast<AtomicOp>(e.op))) + "(" + e.name + "[" +
               expr_at(e.args, 0) + "]" + (e.args.size() > 1 ? ", " + arguments(e.args, 1) : "") +
               ")";
      case ExprKind::Call:
        return e.name + "(" + arguments(e.args, 0) + ")";
    }
    return "<invalid>";
  }

  // A binary operand, parenthesised when it binds more loosely than `min_precedence` requires
  // (the right operand needs one more, since every operator is left-associative).
  std::string operand(const Expr& parent, std::size_t i, int min_precedence) const {
    const std::string text = expr_at(parent.args, i);
    if (i >= parent.args.size() || !parent.args[i]) return text;
    const Expr& child = *parent.args[i];
    const int child_prec = child.kind == ExprKind::Binary
                               ? precedence(static_cast<BinaryOp>(child.op))
                               : kUnaryPrecedence;
    return child_prec < min_precedence ? "(" + text + ")" : text;
  }

  std::string arguments(const std::vector<ExprPtr>& args, std::size_t from) const {
    std::string out;
    for (std::size_t i = from; i < args.size(); ++i) {
      if (i != from) out += ", ";
      out += expr_at(args, i);
    }
    return out;
  }

  // A const's value as written: it stays unchecked (an unsuffixed literal adapts to each use), so
  // it prints in its own form, `-` included.
  std::string source_literal(const Expr& e) const {
    if (e.kind == ExprKind::Unary && !e.args.empty() && e.args[0]) {
      return "-" + source_literal(*e.args[0]);
    }
    if (e.kind != ExprKind::Literal) return expr(e);
    return format_literal(e);
  }

  std::string out_;
  int indent_ = 0;
};

}  // namespace
}  // namespace text

std::string print_program(const ProgramData& program) {
  return text::Printer().print(program);
}
std::string print_program(const Program& program) {
  return print_program(program.data());
}

}  // namespace vyre::ir
