package lab

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
)

// AWS Organizations, as much of it as a reader of the lab's account needs:
// the lab's account is a standalone account, in no organization, so
// DescribeOrganization answers AWSOrganizationsNotInUseException once the
// caller is allowed organizations:DescribeOrganization
// (https://docs.aws.amazon.com/organizations/latest/APIReference/API_DescribeOrganization.html).
// Organizations speaks the JSON protocol (awsJson1_1): the action is the
// X-Amz-Target header, parameters are a JSON object, answers and errors
// are JSON.

const (
	serviceOrganizations = "organizations"
	// orgTargetPrefix precedes the action in X-Amz-Target.
	orgTargetPrefix = "AWSOrganizationsV20161128."
	jsonContentType = "application/x-amz-json-1.1"
)

// errNotInOrganization is Organizations' answer for an account outside any
// organization.
var errNotInOrganization = errSender(http.StatusBadRequest, "AWSOrganizationsNotInUseException", "Your account is not a member of an organization.")

func (s *Server) describeOrganization(*request) (any, error) { return nil, errNotInOrganization }

// jsonRequestParams reads a JSON-protocol request: the action from
// X-Amz-Target, the parameters from the body's top-level object (strings,
// numbers and booleans as text; the lab's Organizations actions take no
// nested parameter).
func jsonRequestParams(r *http.Request, body []byte) (params, error) {
	target := r.Header.Get("X-Amz-Target")
	action, ok := strings.CutPrefix(target, orgTargetPrefix)
	if !ok || action == "" {
		return nil, errSender(http.StatusBadRequest, "UnknownOperationException", "Unknown operation "+truncate(target, 128))
	}
	p := params{"Action": action}
	if len(bytes.TrimSpace(body)) == 0 {
		return p, nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil {
		return nil, errSender(http.StatusBadRequest, "SerializationException", "The request body is not a JSON object.")
	}
	if len(obj) > maxParams {
		return nil, errSender(http.StatusBadRequest, "SerializationException", "Too many parameters.")
	}
	for k, raw := range obj {
		var str string
		if json.Unmarshal(raw, &str) == nil {
			p[k] = str
			continue
		}
		p[k] = string(raw)
	}
	return p, nil
}

// jsonError converts an answer to the JSON protocol's error names: STS and
// IAM's AccessDenied is Organizations' AccessDeniedException.
func jsonError(e *apiError) *apiError {
	switch e.Code {
	case "AccessDenied":
		return &apiError{Status: http.StatusBadRequest, Code: "AccessDeniedException", Message: e.Message}
	case "InvalidAction":
		return &apiError{Status: http.StatusBadRequest, Code: "UnknownOperationException", Message: e.Message}
	}
	return e
}

// writeJSONError writes {"__type": CODE, "Message": MSG}.
func writeJSONError(w http.ResponseWriter, requestID string, e *apiError) {
	body, _ := json.Marshal(struct {
		Type    string `json:"__type"`
		Message string `json:"Message"`
	}{e.Code, e.Message})
	writeJSONBody(w, e.Status, requestID, body)
}

func writeJSONBody(w http.ResponseWriter, status int, requestID string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", jsonContentType)
	h.Set("x-amzn-RequestId", requestID)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
