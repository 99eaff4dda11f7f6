// The front end's limits: each keeps hostile input from exhausting the stack, and each has its
// own diagnostic. Real flows stay far below all of them. docs/runtime.md lists every limit.

/** Brackets, parentheses and `not`s nest the recursive-descent parser (CF1012). */
export const MAX_NESTING = 100;

/**
 * The longest string literal read (CF1013). The lexer's string patterns are regular expressions
 * whose backtracking stack grows with the string: past about ten million characters they overflow.
 */
export const MAX_STRING_LENGTH = 1_000_000;

/**
 * The most terms (operands of `and`, `or` and comparisons) one condition may have (CF1014): every
 * tool walks a condition as a tree, and a chain of terms is as deep as it is long.
 */
export const MAX_EXPRESSION_TERMS = 500;
