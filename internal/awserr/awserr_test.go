package awserr

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/smithy-go"
)

func TestCode(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"nil", nil, ""},
		{"API error", &smithy.GenericAPIError{Code: "NoSuchEntity"}, "NoSuchEntity"},
		{"wrapped", fmt.Errorf("DeleteAccessKey: %w", &smithy.GenericAPIError{Code: "AccessDenied"}), "AccessDenied"},
		{"not an API error", context.Canceled, ""},
	} {
		if got := Code(tc.err); got != tc.want {
			t.Errorf("%s: Code = %q, want %q", tc.name, got, tc.want)
		}
	}
}
