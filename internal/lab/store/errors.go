package store

import (
	"errors"
	"fmt"
)

// IAM error codes the store reports.
const (
	CodeNoSuchEntity              = "NoSuchEntity"
	CodeEntityAlreadyExists       = "EntityAlreadyExists"
	CodeMalformedPolicyDocument   = "MalformedPolicyDocument"
	CodeValidationError           = "ValidationError"
	CodeInvalidInput              = "InvalidInput"
	CodeLimitExceeded             = "LimitExceeded"
	CodeInvalidAuthenticationCode = "InvalidAuthenticationCode"
	CodeReportNotPresent          = "ReportNotPresent"
	CodeDeleteConflict            = "DeleteConflict"
	CodeUnmodifiableEntity        = "UnmodifiableEntity"
)

// Error is an IAM error: Code is the error code IAM returns (NoSuchEntity,
// EntityAlreadyExists, ...), Message its text.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the IAM error code of err, or "" when err is not an
// *Error.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// IsNotFound reports whether err is NoSuchEntity.
func IsNotFound(err error) bool { return ErrorCode(err) == CodeNoSuchEntity }

// Errors of MFA code checks (sts:GetSessionToken, sts:AssumeRole). The lab
// maps them to STS's AccessDenied texts.
var (
	// ErrMFAInvalidCode: the code is wrong, or was already used.
	ErrMFAInvalidCode = errors.New("invalid MFA one time pass code")
	// ErrMFACodeReused: the code (or a later one) was already accepted; it
	// wraps ErrMFAInvalidCode.
	ErrMFACodeReused = fmt.Errorf("%w: the code was already used", ErrMFAInvalidCode)
	// ErrMFAUnknownDevice: no such device, or it is not assigned to the
	// user.
	ErrMFAUnknownDevice = errors.New("MFA device not associated with the user")
)

// ErrNotFound is returned by lookups used for authentication (access keys,
// sessions) when nothing matches.
var ErrNotFound = errors.New("not found")
