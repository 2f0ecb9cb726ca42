package lab

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
)

// The lab's account is in no organization: the Go SDK's Organizations
// client gets AWS's answer for that, after authorization.
func TestOrganizationsWithSDK(t *testing.T) {
	srv, endpoint, a := newLab(t, Config{})
	ctx := context.Background()
	admin := organizations.NewFromConfig(sdkConfig(endpoint, a.admin))
	_, err := admin.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	var notInUse *types.AWSOrganizationsNotInUseException
	if !errors.As(err, &notInUse) || notInUse.ErrorMessage() != "Your account is not a member of an organization." {
		t.Fatalf("DescribeOrganization by the administrator: %v", err)
	}
	// bob may not describe the organization.
	_, err = organizations.NewFromConfig(sdkConfig(endpoint, a.bool)).DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	var denied *types.AccessDeniedException
	if !errors.As(err, &denied) || !strings.Contains(denied.ErrorMessage(), "user/bob is not authorized to perform: organizations:DescribeOrganization on resource: *") {
		t.Fatalf("DescribeOrganization by bob: %v", err)
	}
	// Other Organizations operations are not the lab's.
	_, err = admin.ListRoots(ctx, &organizations.ListRootsInput{})
	if apiCode(err) != "UnknownOperationException" || !strings.Contains(apiMessage(err), "ListRoots") {
		t.Fatalf("ListRoots: %v", err)
	}
	if st := srv.Stats(); st["organizations:DescribeOrganization"] != 2 || st["denied"] != 1 {
		t.Fatalf("stats %v", st)
	}
}

// FuzzOrganizationsRequest sends arbitrary, correctly signed JSON-protocol
// requests: the answer is JSON, an error with its __type or a success,
// never an internal error.
func FuzzOrganizationsRequest(f *testing.F) {
	for _, c := range [][2]string{
		{orgTargetPrefix + "DescribeOrganization", "{}"},
		{orgTargetPrefix + "DescribeOrganization", ""},
		{orgTargetPrefix + "ListParents", `{"ChildId":"123456789012"}`},
		{"Other.DescribeOrganization", "{}"},
		{orgTargetPrefix + "DescribeOrganization", `{"a":[1,{"b":null}],"c":true}`},
		{orgTargetPrefix + "DescribeOrganization", `[`},
	} {
		f.Add(c[0], c[1])
	}
	stop, srv, a := fuzzLab(f)
	defer stop()
	f.Fuzz(func(t *testing.T, target, body string) {
		if !utf8.ValidString(target) || strings.ContainsAny(target, "\r\n\x00") {
			return
		}
		req := signedRequestHeaders(t, "http://127.0.0.1/", a.admin, serviceOrganizations, body, time.Now(),
			map[string]string{"Content-Type": jsonContentType, "X-Amz-Target": target})
		status, resp := do(srv.Handler(), req)
		if status >= 500 {
			t.Fatalf("status %d for %q %q:\n%s", status, target, body, resp)
		}
		var answer map[string]any
		if err := json.Unmarshal([]byte(resp), &answer); err != nil {
			t.Fatalf("answer is not JSON: %v\n%s", err, resp)
		}
		if status != 200 && answer["__type"] == nil {
			t.Fatalf("error without a type:\n%s", resp)
		}
	})
}
