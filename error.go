package shieldwall

import (
	"errors"
	"fmt"
)

// Error codes are stable and machine-readable; API clients rely on them.
const (
	ECONFLICT     = "conflict"     // the object already exists or changed meanwhile
	EINTERNAL     = "internal"     // a fault on our side; details are logged, never shown
	EINVALID      = "invalid"      // the input is wrong; the message says how
	ENOTFOUND     = "not_found"    // no such object, or the actor may not know it exists
	EUNAUTHORIZED = "unauthorized" // no valid credentials
	EFORBIDDEN    = "forbidden"    // credentials are valid but the action is not allowed
	ETOOLARGE     = "too_large"    // the request body is over its limit
	ERATELIMITED  = "rate_limited" // too many attempts; try again later
	EUNAVAILABLE  = "unavailable"  // the service cannot answer right now (database down, schema old)
)

// Error is an error a user may see: a code and a plain-language message.
// Field, when set, names the input field the message is about.
type Error struct {
	Code    string
	Message string
	Field   string
}

// Error implements the error interface.
func (e *Error) Error() string {
	return fmt.Sprintf("shieldwall error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrorf returns an *Error about one input field.
func FieldErrorf(code, field, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err, or EINTERNAL when err is not an *Error.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err; internal errors
// get a generic message so that SQL, paths and stack traces never leak.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "An internal error occurred."
}

// ErrorField returns the input field err is about, if any.
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}
