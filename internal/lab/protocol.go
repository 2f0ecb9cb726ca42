package lab

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/awsmfa/awsmfa/internal/lab/store"
)

// Services the lab answers, by the service name of the SigV4 credential
// scope, with their awsQuery API version and XML namespace.
const (
	serviceSTS = "sts"
	serviceIAM = "iam"
	serviceEC2 = "ec2"

	versionSTS = "2011-06-15"
	versionIAM = "2010-05-08"
	versionEC2 = "2016-11-15"

	nsSTS = "https://sts.amazonaws.com/doc/2011-06-15/"
	nsIAM = "https://iam.amazonaws.com/doc/2010-05-08/"
	nsEC2 = "http://ec2.amazonaws.com/doc/2016-11-15/"
)

func namespace(service string) string {
	switch service {
	case serviceIAM:
		return nsIAM
	case serviceEC2:
		return nsEC2
	}
	return nsSTS
}

// maxBody bounds request bodies. The largest legitimate lab request is a
// policy document (6,144 characters, URL-encoded to at most three times
// that) plus parameters.
const maxBody = 256 << 10

// apiError is an error answered to the client.
type apiError struct {
	Status  int
	Code    string
	Message string
	// Receiver marks server-side faults (<Type>Receiver</Type>).
	Receiver bool
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

func errSender(status int, code, msg string) *apiError {
	return &apiError{Status: status, Code: code, Message: msg}
}

func validationError(msg string) *apiError {
	return errSender(http.StatusBadRequest, "ValidationError", msg)
}

// constraintError is AWS's model-validation message for one parameter.
func constraintError(value, field, rule string) *apiError {
	return validationError("1 validation error detected: Value '" + value + "' at '" + field + "' failed to satisfy constraint: Member " + rule)
}

func missingError(field string) *apiError {
	return validationError("1 validation error detected: Value null at '" + field + "' failed to satisfy constraint: Member must not be null")
}

func accessDenied(msg string) *apiError { return errSender(http.StatusForbidden, "AccessDenied", msg) }

var errInternal = &apiError{Status: http.StatusInternalServerError, Code: "InternalFailure", Message: "An internal error occurred. Try again.", Receiver: true}

// storeStatus maps the store's IAM error codes to HTTP statuses
// (https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html and
// each action's Errors section).
func storeStatus(code string) int {
	switch code {
	case store.CodeNoSuchEntity:
		return http.StatusNotFound
	case store.CodeEntityAlreadyExists, store.CodeLimitExceeded, store.CodeDeleteConflict:
		return http.StatusConflict
	case store.CodeInvalidAuthenticationCode:
		return http.StatusForbidden
	case store.CodeReportNotPresent:
		return http.StatusGone
	}
	return http.StatusBadRequest
}

// toAPIError converts any handler error to the answer sent.
func toAPIError(err error) (*apiError, bool) {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae, true
	}
	var se *store.Error
	if errors.As(err, &se) {
		return errSender(storeStatus(se.Code), se.Code, se.Message), true
	}
	return errInternal, false
}

// newRequestID returns a random UUID (version 4), as AWS request ids are.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:], b[10:])
	return string(out[:])
}

// isoTime formats a timestamp as the query protocol does.
func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// urlEncodePolicy percent-encodes a policy document the way IAM returns
// documents (every byte outside RFC 3986's unreserved set is escaped, so a
// space is %20, never '+'): "The policy document returned in this structure
// is URL-encoded compliant with RFC 3986"
// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_PolicyVersion.html).
func urlEncodePolicy(doc string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(doc) * 2)
	for i := 0; i < len(doc); i++ {
		c := doc[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

// list marshals as <Name><member>...</member>...</Name>, always present
// (an empty list is <Name></Name>), as the query protocol writes lists.
type list[T any] []T

func (l list[T]) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	member := xml.StartElement{Name: xml.Name{Local: "member"}}
	for i := range l {
		if err := e.EncodeElement(l[i], member); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}

// writeResult writes a successful awsQuery answer:
// <ActionResponse xmlns=NS><ActionResult>...</ActionResult>
// <ResponseMetadata><RequestId>ID</RequestId></ResponseMetadata></ActionResponse>.
// A nil result writes no Result element.
func writeResult(w http.ResponseWriter, service, action, requestID string, result any) error {
	bp := bodyPool.Get().(*[]byte)
	defer putBody(bp)
	b, err := appendResult((*bp)[:0], service, action, requestID, result, true)
	*bp = b
	if err != nil {
		return err
	}
	writeXML(w, http.StatusOK, requestID, b)
	return nil
}

// bodyPool recycles answer buffers: the body is copied by the
// ResponseWriter before writeResult returns.
var bodyPool = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// putBody returns a buffer to bodyPool unless it grew large (a big
// listing), so the pool does not keep big buffers alive.
func putBody(bp *[]byte) {
	if cap(*bp) <= 64<<10 {
		bodyPool.Put(bp)
	}
}

// appendResult appends the answer of writeResult to b. Results that
// implement xmlFields are encoded by hand when byHand is set; all others
// (and all when byHand is false) by encoding/xml.
func appendResult(b []byte, service, action, requestID string, result any, byHand bool) ([]byte, error) {
	b = append(b, `<?xml version="1.0" encoding="UTF-8"?>`+"\n<"...)
	b = append(b, action...)
	b = append(b, `Response xmlns="`...)
	b = append(b, namespace(service)...)
	b = append(b, "\">\n"...)
	if result != nil {
		if f, ok := result.(xmlFields); ok && byHand {
			b = append(b, "  <"...)
			b = append(b, action...)
			b = append(b, "Result>"...)
			n := len(b)
			b = f.appendXMLFields(b, 1)
			if len(b) > n {
				b = xmlIndent(b, 0)
			}
			b = append(b, "</"...)
			b = append(b, action...)
			b = append(b, "Result>"...)
		} else {
			buf := bytes.NewBuffer(b)
			enc := xml.NewEncoder(buf)
			enc.Indent("  ", "  ")
			if err := enc.EncodeElement(result, xml.StartElement{Name: xml.Name{Local: action + "Result"}}); err != nil {
				return buf.Bytes(), err
			}
			if err := enc.Flush(); err != nil {
				return buf.Bytes(), err
			}
			b = buf.Bytes()
		}
		b = append(b, '\n')
	}
	b = append(b, "  <ResponseMetadata>\n    <RequestId>"...)
	b = append(b, requestID...)
	b = append(b, "</RequestId>\n  </ResponseMetadata>\n</"...)
	b = append(b, action...)
	b = append(b, "Response>\n"...)
	return b, nil
}

func writeXML(w http.ResponseWriter, status int, requestID string, body []byte) {
	h := w.Header()
	// What Header.Set does, with the keys in canonical form
	// (x-amzn-RequestId is sent as X-Amzn-Requestid) and one allocation
	// for the three values.
	v := make([]string, 3)
	v[0], v[1], v[2] = "text/xml", strconv.Itoa(len(body)), requestID
	h["Content-Type"] = v[0:1:1]
	h["Content-Length"] = v[1:2:2]
	h["X-Amzn-Requestid"] = v[2:3:3]
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func xmlText(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// writeError writes the service's error envelope: awsQuery's ErrorResponse
// for STS and IAM, EC2's Response/Errors, JSON for Organizations.
func writeError(w http.ResponseWriter, service, requestID string, e *apiError) {
	if service == serviceOrganizations {
		writeJSONError(w, requestID, e)
		return
	}
	var buf bytes.Buffer
	if service == serviceEC2 {
		buf.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
		buf.WriteString("<Response><Errors><Error><Code>" + xmlText(e.Code) + "</Code><Message>" + xmlText(e.Message) +
			"</Message></Error></Errors><RequestID>" + requestID + "</RequestID></Response>\n")
	} else {
		typ := "Sender"
		if e.Receiver {
			typ = "Receiver"
		}
		buf.WriteString(`<ErrorResponse xmlns="` + namespace(service) + `">` + "\n")
		buf.WriteString("  <Error>\n    <Type>" + typ + "</Type>\n    <Code>" + xmlText(e.Code) + "</Code>\n    <Message>" + xmlText(e.Message) + "</Message>\n  </Error>\n")
		buf.WriteString("  <RequestId>" + requestID + "</RequestId>\n</ErrorResponse>\n")
	}
	writeXML(w, e.Status, requestID, buf.Bytes())
}
