package expr

import (
	"errors"
	"fmt"
	"time"

	"github.com/shardflow/shardflow/datefmt"
	"github.com/shardflow/shardflow/diag"
	"github.com/shardflow/shardflow/jobfile"
)

// Errors recorded in a Ctx wrap one of these, so that callers can branch on
// the cause with errors.Is.
var (
	// ErrDivisionByZero is recorded by integer and DECIMAL division and
	// modulo by zero, as Java raises ArithmeticException.
	ErrDivisionByZero = errors.New("division by zero")
	// ErrCastFailed is recorded by a CAST whose input does not convert (a
	// string that is not a number, say). TRY_CAST yields NULL instead.
	ErrCastFailed = errors.New("cast failed")
	// ErrNullNotAllowed is recorded by a CAST to a NOT NULL type whose
	// input is NULL.
	ErrNullNotAllowed = errors.New("NULL in a NOT NULL position")
	// ErrInvalidPattern is recorded by LIKE with a non-constant pattern or
	// escape that is malformed, and by date functions whose non-constant
	// format is not a valid Java date pattern.
	ErrInvalidPattern = errors.New("invalid pattern")
)

// Ctx is the context of evaluating expressions over rows: the current time,
// the session time zone, and the first runtime error. A Ctx belongs to one
// goroutine; a Compiled may be shared by many goroutines, each with its own
// Ctx.
//
// Evaluation records errors here instead of returning them, so that the hot
// path allocates nothing: an expression that fails yields NULL and the
// caller checks Err once per row or batch.
type Ctx struct {
	// Now is the time CURRENT_TIMESTAMP, NOW() and UNIX_TIMESTAMP() return.
	// Flink evaluates them per record in streaming mode; the caller sets Now
	// once per batch of records.
	Now time.Time
	// Location is the session time zone (Flink's table.local-time-zone),
	// used to show TIMESTAMP_LTZ values as local date-times; nil means UTC.
	Location *time.Location

	err error
	// patterns caches date patterns given as non-constant arguments.
	patterns map[string]*datefmt.Pattern
	buf      []byte
}

// NewCtx returns a context whose Now is the current time and whose session
// time zone is UTC.
func NewCtx() *Ctx {
	return &Ctx{Now: time.Now(), Location: time.UTC}
}

// Err returns the first runtime error since the last Reset, or nil. It is an
// *EvalError.
func (c *Ctx) Err() error { return c.err }

// Reset forgets the recorded error.
func (c *Ctx) Reset() { c.err = nil }

func (c *Ctx) loc() *time.Location {
	if c == nil || c.Location == nil {
		return time.UTC
	}
	return c.Location
}

// fail records err for the expression what at pos, unless an error is
// already recorded. It returns nothing so that callers can `ctx.fail(...);
// return types.Null`. what is printed only here, when it fails: printing
// every node's text at compile time would cost time and memory quadratic
// in the length of a chain like a + b + c ...
func (c *Ctx) fail(pos diag.Pos, what jobfile.Expr, err error) {
	if c.err == nil {
		c.err = &EvalError{Pos: pos, Expr: Format(what), Err: err}
	}
}

// failAt is fail at the start of what.
func (c *Ctx) failAt(what jobfile.Expr, err error) {
	if c.err == nil {
		c.fail(what.Pos(), what, err)
	}
}

// EvalError is a runtime error of one expression: where it is in the job
// file, its text, and the cause (wrapping ErrDivisionByZero, ErrCastFailed,
// ...).
type EvalError struct {
	Pos  diag.Pos
	Expr string
	Err  error
}

// Error renders FILE:LINE:COL: evaluating EXPR: cause.
func (e *EvalError) Error() string {
	return fmt.Sprintf("%s: evaluating %s: %v", e.Pos, e.Expr, e.Err)
}

// Unwrap returns the cause.
func (e *EvalError) Unwrap() error { return e.Err }
