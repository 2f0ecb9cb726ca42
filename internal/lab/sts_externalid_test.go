package lab

import (
	"net/url"
	"strings"
	"testing"
)

// ExternalId is the sts:ExternalId condition key of the AssumeRole call.
func TestAssumeRoleExternalID(t *testing.T) {
	h := newHandlerLab(t, Config{})
	const trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole",
 "Condition":{"StringEquals":{"sts:ExternalId":"partner-42"}}}]}`
	r, err := h.a.st.CreateRole("partner", "", trust, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	assume := func(extra url.Values) (int, string) {
		form := url.Values{"Action": {"AssumeRole"}, "Version": {versionSTS}, "RoleArn": {r.ARN}, "RoleSessionName": {"s1"}}
		for k, v := range extra {
			form[k] = v
		}
		return h.call(h.a.admin, "sts", form.Encode())
	}
	for _, c := range []struct {
		name   string
		extra  url.Values
		status int
		code   string
	}{
		{"without", nil, 403, "AccessDenied"},
		{"wrong", url.Values{"ExternalId": {"partner-41"}}, 403, "AccessDenied"},
		{"right", url.Values{"ExternalId": {"partner-42"}}, 200, ""},
		{"too short", url.Values{"ExternalId": {"p"}}, 400, "ValidationError"},
		{"bad character", url.Values{"ExternalId": {"partner 42"}}, 400, "ValidationError"},
	} {
		st, body := assume(c.extra)
		if st != c.status || (c.code != "" && !strings.Contains(body, "<Code>"+c.code+"</Code>")) {
			t.Errorf("%s: %d %s", c.name, st, body)
		}
	}
}
