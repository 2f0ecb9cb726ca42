// Package awserr reads the errors AWS APIs answer through the SDK.
package awserr

import (
	"errors"

	"github.com/aws/smithy-go"
)

// Code is the AWS error code of err, such as "NoSuchEntity", or "" when
// err is not an answer of an AWS API (a network error, a cancelled
// context).
func Code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}
