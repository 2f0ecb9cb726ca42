package awsquery

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

var testCreds = aws.Credentials{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}

func TestSign(t *testing.T) {
	at := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	req, err := Sign(context.Background(), "http://127.0.0.1:1", ListUsers, testCreds, "us-east-1", at)
	if err != nil {
		t.Fatal(err)
	}
	if req.Method != "POST" || req.URL != "http://127.0.0.1:1/" {
		t.Errorf("method %s url %s", req.Method, req.URL)
	}
	form, _ := url.ParseQuery(string(req.Body))
	if form.Get("Action") != "ListUsers" || form.Get("Version") != "2010-05-08" {
		t.Errorf("body %s", req.Body)
	}
	auth := req.Header.Get("Authorization")
	if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240102/us-east-1/iam/aws4_request, SignedHeaders=") ||
		req.Header.Get("X-Amz-Date") != "20240102T030405Z" {
		t.Errorf("Authorization %q, X-Amz-Date %q", auth, req.Header.Get("X-Amz-Date"))
	}
	// Deterministic: the same inputs give the same signature, another time
	// gives another one.
	again, _ := Sign(context.Background(), "http://127.0.0.1:1", ListUsers, testCreds, "us-east-1", at)
	later, _ := Sign(context.Background(), "http://127.0.0.1:1", ListUsers, testCreds, "us-east-1", at.Add(time.Second))
	if again.Header.Get("Authorization") != auth || later.Header.Get("Authorization") == auth {
		t.Error("signature not a function of the inputs")
	}
	tok := testCreds
	tok.SessionToken = "token"
	withTok, _ := Sign(context.Background(), "http://127.0.0.1:1", GetCallerIdentity, tok, "us-east-1", at)
	if withTok.Header.Get("X-Amz-Security-Token") != "token" {
		t.Error("session token header missing")
	}
}

func TestCallByName(t *testing.T) {
	for _, n := range []string{"GetCallerIdentity", "listusers", "DescribeRegions"} {
		if _, ok := CallByName(n); !ok {
			t.Errorf("CallByName(%s) not found", n)
		}
	}
	if _, ok := CallByName("DeleteEverything"); ok {
		t.Error("unknown call found")
	}
}
