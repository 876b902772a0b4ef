// Descent: the whole language in one grammar (see docs/language.md).
//
// Statements end at a newline or ';'. Newlines are significant, except where a
// line obviously continues: inside ( ) or [ ], or after a binary operator or ','.
// That filtering is done between the lexer and the parser, by
// dev.descent.syntax.LineJoiner, so the rules below only see NL where a
// statement may end.
grammar Descent;

// ---------------------------------------------------------------- structure

// Statements and separators; AstBuilder insists on a separator between two
// statements. Written as a flat loop so that error recovery resumes at the next
// line, and several problems are reported in one run.
program
    : (statement | sep)* EOF
    ;

sep : NL | ';' ;

statement
    : IMPORT STRING                                             # importStmt
    | SEED expr                                                 # seedStmt
    | PARAM ident dims? '=' expr                                # paramStmt
    | PARAM ident dims? '~' expr                                # paramRandomStmt
    | LET ident '=' expr                                        # letStmt
    | DEF ident '(' formals? ')' '=' expr                       # defStmt
    | (MINIMIZE | MAXIMIZE) expr                                # objectiveStmt
    | DATA ident '=' expr                                       # dataStmt
    | OPTIMIZER ident ('(' formals? ')')? NL* body               # optimizerStmt
    | OPTIMIZE WITH expr FOR expr unit=(STEPS | EPOCHS) clause*  # optimizeStmt
    | REPORT ident '=' expr                                     # reportStmt
    ;

dims : '[' expr (',' expr)? ']' ;

formals : formal (',' formal)* ','? ;
formal  : ident ('=' expr)? ;

clause
    : BATCH expr        # batchClause
    | UNTIL expr        # untilClause
    | PATIENCE expr     # patienceClause
    ;

body : '{' (bodyStmt | sep)* '}' ;

bodyStmt
    : STATE ident '=' expr                                      # stateStmt
    | ident op=('=' | '+=' | '-=' | '*=' | '/=') expr           # assignStmt
    | ident '(' args? ')'                                       # useStmt
    ;

// -------------------------------------------------------------- expressions
// Alternatives are listed from the highest precedence to the lowest.

expr
    : primary                                                   # primaryExpr
    | expr '(' args? ')'                                        # callExpr
    | expr '[' expr (',' expr)* ']'                             # indexExpr
    | expr '.' ident                                            # memberExpr
    | <assoc=right> expr op=('^' | '**') expr                   # powExpr
    | op=('-' | '+') expr                                       # unaryExpr
    | expr op=('*' | '/' | '@') expr                            # mulExpr
    | expr op=('+' | '-') expr                                  # addExpr
    | expr op=('<' | '<=' | '>' | '>=' | '==' | '!=') expr      # cmpExpr
    | NOT expr                                                  # notExpr
    | expr AND expr                                             # andExpr
    | expr OR expr                                              # orExpr
    | IF expr THEN expr ELSE expr                               # ifExpr
    ;

primary
    : NUMBER                                                    # numberLit
    | STRING                                                    # stringLit
    | ident                                                     # nameRef
    | '(' expr ')'                                              # parens
    | '[' (expr (',' expr)* ','?)? ']'                          # arrayLit
    ;

args : arg (',' arg)* ','? ;
// `W2.lr = 0.02`: a setting for one parameter (only in optimize with's optimizer)
arg  : (ident '.' ident '=' | ident '=')? expr ;

// A name. The words that are keywords only in one place (for N steps, batch,
// until, patience, optimize with, state, seed, data, report) are names everywhere else,
// so `warmup(lr, steps)` or `let batch = 32` work.
ident
    : NAME | STEPS | EPOCHS | BATCH | UNTIL | PATIENCE | STATE | WITH | SEED | DATA | REPORT
    ;

// ---------------------------------------------------------------- tokens

IMPORT    : 'import' ;
SEED      : 'seed' ;
PARAM     : 'param' ;
LET       : 'let' ;
DEF       : 'def' ;
MINIMIZE  : 'minimize' ;
MAXIMIZE  : 'maximize' ;
DATA      : 'data' ;
REPORT    : 'report' ;
OPTIMIZER : 'optimizer' ;
OPTIMIZE  : 'optimize' ;
WITH      : 'with' ;
FOR       : 'for' ;
STEPS     : 'steps' | 'step' ;
EPOCHS    : 'epochs' | 'epoch' ;
BATCH     : 'batch' ;
UNTIL     : 'until' ;
PATIENCE  : 'patience' ;
STATE     : 'state' ;
IF        : 'if' ;
THEN      : 'then' ;
ELSE      : 'else' ;
AND       : 'and' ;
OR        : 'or' ;
NOT       : 'not' ;

NUMBER
    : DIGITS ('.' DIGITS)? EXPONENT?
    | '.' DIGITS EXPONENT?
    ;
fragment DIGITS   : [0-9]+ ;
fragment EXPONENT : [eE] [+-]? [0-9]+ ;

// A name: a letter or _, then letters, decimal digits and _ (any Unicode letter, \p{L}; digits
// \p{Nd}). ASCII by sets; other characters by a predicate on the one just read (Character's
// isLetter is \p{L}, isDigit \p{Nd}), because the sets \p{L} and \p{Nd} are about 1400
// ranges, and unpacking them in the lexer's ATN took 10-17 ms of every process's start.
NAME : NAME_START NAME_PART* ;
fragment NAME_START : [a-zA-Z_] | [\u0080-\u{10FFFF}] {Character.isLetter(_input.LA(-1))}? ;
fragment NAME_PART  : [a-zA-Z0-9_] | [\u0080-\u{10FFFF}] {Character.isLetter(_input.LA(-1)) || Character.isDigit(_input.LA(-1))}? ;

STRING : '"' (~["\\\r\n] | '\\' ~[\r\n])* '"' ;
UNTERMINATED_STRING : '"' (~["\\\r\n] | '\\' ~[\r\n])* ;

NL      : '\r'? '\n' | '\r' ;
COMMENT : '#' ~[\r\n]* -> skip ;
WS      : [ \t\f\u00A0\uFEFF]+ -> skip ;

ERROR_CHAR : . ;
