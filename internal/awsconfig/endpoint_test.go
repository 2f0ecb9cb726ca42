package awsconfig

import (
	"strings"
	"testing"
)

func TestContainerCredentialsURIHosts(t *testing.T) {
	tests := []struct {
		env  map[string]string
		ok   string
		fail string
	}{
		{env: map[string]string{EnvContainerFullURI: "http://127.0.0.5:80/x"}, ok: "http://127.0.0.5:80/x"},
		{env: map[string]string{EnvContainerFullURI: "http://[::1]:8080/creds"}, ok: "http://[::1]:8080/creds"},
		{env: map[string]string{EnvContainerFullURI: "http://LOCALHOST:1/c"}, ok: "http://LOCALHOST:1/c"},
		{env: map[string]string{EnvContainerFullURI: "https://creds.example.com/x"}, ok: "https://creds.example.com/x"},
		{env: map[string]string{EnvContainerFullURI: "http://creds.example.com/x"}, fail: "loopback"},
		{env: map[string]string{EnvContainerFullURI: "http://169.254.169.254/latest"}, fail: "loopback"},
		{env: map[string]string{EnvContainerFullURI: "http://10.0.0.1/x"}, fail: "loopback"},
		{env: map[string]string{EnvContainerFullURI: "ftp://127.0.0.1/x"}, fail: "scheme"},
		{env: map[string]string{EnvContainerFullURI: "http://%zz/x"}, fail: "invalid full URI"},
		{env: map[string]string{EnvContainerRelURI: "credentials"}, fail: "starting with a single /"},
		{env: map[string]string{EnvContainerRelURI: "//evil.example/x"}, fail: "starting with a single /"},
		{env: map[string]string{EnvContainerRelURI: "@evil.example/x"}, fail: "starting with a single /"},
	}
	for _, tc := range tests {
		got, err := ContainerCredentialsURI(MapEnv(tc.env, "linux"))
		switch {
		case tc.fail != "" && (err == nil || !strings.Contains(err.Error(), tc.fail)):
			t.Errorf("%v: got %q, %v; want error with %q", tc.env, got, err, tc.fail)
		case tc.fail == "" && (err != nil || got != tc.ok):
			t.Errorf("%v: got %q, %v", tc.env, got, err)
		}
	}
}

func TestServicesSectionMissingWarns(t *testing.T) {
	c := mustParse(t, "[profile p]\naws_access_key_id = A\naws_secret_access_key = S\nservices = nope\n", "")
	ch, err := c.Resolve("p")
	if err != nil {
		t.Fatal(err)
	}
	if len(ch.Warnings) != 1 || !strings.Contains(ch.Warnings[0], "no [services nope] section") || ch.STSEndpoint != "" {
		t.Fatalf("warnings %v endpoint %q", ch.Warnings, ch.STSEndpoint)
	}
}
