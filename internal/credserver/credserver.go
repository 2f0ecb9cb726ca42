// Package credserver serves a profile's credentials on 127.0.0.1 in the
// container-credentials format, so that any AWS SDK or the AWS CLI started
// with
//
//	AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:PORT/
//	AWS_CONTAINER_AUTHORIZATION_TOKEN=TOKEN
//
// gets refreshed credentials for as long as it runs: role credentials are
// re-assumed from the cached MFA session before they expire, and when the
// MFA session itself ends a new code is asked for (through mfa_process, a
// desktop dialog, or the terminal while the server is in its foreground)
// while callers wait.
//
// Only loopback is served. Every request must carry the random token in its
// Authorization header (compared in constant time) and a Host header naming
// the server (127.0.0.1:PORT or localhost:PORT), which defeats DNS
// rebinding from a browser. Requests carry no body: one that announces a
// body is refused (413) without reading it; headers are limited to 16 KiB
// (431). Refused requests are logged only with Options.Verbose; failures
// to get credentials (500) always are.
package credserver

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/awsmfa/awsmfa/internal/broker"
	"github.com/awsmfa/awsmfa/internal/credcache"
)

// Options configure a Server.
type Options struct {
	// MinRemaining is the validity handed-out credentials have whenever a
	// refresh can give it. Default broker.CLIMinRemaining: botocore (the
	// AWS CLI, boto3) refreshes container credentials with less than 15
	// minutes left (advisory) and the Go SDK v2 with less than 5
	// (config: ExpiryWindow = 5 * time.Minute for the HTTP provider).
	MinRemaining time.Duration
	// Port to listen on, on 127.0.0.1; 0 picks a free one.
	Port int
	// Log receives a line per refresh (never secrets); nil discards.
	Log io.Writer
	// Verbose also logs every refused request (wrong token or Host, a
	// body, another path or method) to Log: off by default, since SDKs
	// probing or a stray client would fill the terminal of the command
	// `exec --server` runs.
	Verbose bool
	// RefreshTimeout bounds one refresh, MFA prompt included (default 10
	// minutes).
	RefreshTimeout time.Duration
	// PollInterval is how often the server checks, without any request,
	// whether the credentials need a refresh, so that callers rarely wait
	// (default 30 s; negative disables).
	PollInterval time.Duration
}

// Server is a running credentials endpoint.
type Server struct {
	b       *broker.Broker
	profile string
	opt     Options
	token   string
	tokenH  [32]byte

	ctx    context.Context
	cancel context.CancelFunc

	mu       sync.Mutex
	srv      *http.Server
	ln       net.Listener
	port     string
	url      string
	cur      *credcache.Credentials
	need     time.Duration // validity cur must keep to be served
	inflight *call
	done     chan struct{}
}

type call struct {
	done  chan struct{}
	creds *credcache.Credentials
	err   error
}

// New returns a server for profile's credentials obtained through b.
func New(b *broker.Broker, profile string, opt Options) (*Server, error) {
	if b == nil {
		return nil, errors.New("credserver: no broker")
	}
	if opt.Port < 0 || opt.Port > 65535 {
		return nil, fmt.Errorf("credserver: port %d out of range", opt.Port)
	}
	if opt.MinRemaining <= 0 {
		opt.MinRemaining = broker.CLIMinRemaining
	}
	if opt.RefreshTimeout <= 0 {
		opt.RefreshTimeout = 10 * time.Minute
	}
	if opt.PollInterval == 0 {
		opt.PollInterval = 30 * time.Second
	}
	if opt.Log == nil {
		opt.Log = io.Discard
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, fmt.Errorf("credserver: cannot generate a token: %w", err)
	}
	s := &Server{b: b, profile: profile, opt: opt, token: hex.EncodeToString(raw)}
	s.tokenH = sha256.Sum256([]byte(s.token))
	s.ctx, s.cancel = context.WithCancel(context.Background())
	return s, nil
}

// Start listens on 127.0.0.1 and serves in the background. It returns the
// URL for AWS_CONTAINER_CREDENTIALS_FULL_URI and the token for
// AWS_CONTAINER_AUTHORIZATION_TOKEN.
func (s *Server) Start() (url string, token string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv != nil {
		return "", "", errors.New("credserver: already started")
	}
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(s.opt.Port)))
	if err != nil {
		return "", "", fmt.Errorf("credserver: %w", err)
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	s.ln, s.port = ln, port
	s.url = "http://127.0.0.1:" + port + "/"
	s.srv = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       time.Minute,
		MaxHeaderBytes:    MaxHeaderBytes,
	}
	s.done = make(chan struct{})
	srv, done := s.srv, s.done
	go func() {
		defer close(done)
		_ = srv.Serve(ln)
	}()
	if s.opt.PollInterval > 0 {
		go s.poll()
	}
	return s.url, s.token, nil
}

// URL is the endpoint once started.
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.url
}

// Close stops the server; a refresh in progress is cancelled.
func (s *Server) Close() error {
	s.cancel()
	s.mu.Lock()
	srv, done := s.srv, s.done
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	err := srv.Close()
	<-done
	return err
}

// poll refreshes the credentials ahead of requests.
func (s *Server) poll() {
	t := time.NewTicker(s.opt.PollInterval)
	defer t.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
			s.mu.Lock()
			stale := s.cur != nil && !s.fresh(s.cur)
			s.mu.Unlock()
			if stale {
				_, _ = s.Credentials(s.ctx)
			}
		}
	}
}

func (s *Server) now() time.Time {
	if s.b.Now != nil {
		return s.b.Now()
	}
	return time.Now()
}

// fresh reports whether c may still be served (s.mu held).
func (s *Server) fresh(c *credcache.Credentials) bool {
	if c.Expiration.IsZero() {
		return true
	}
	return c.Expiration.Sub(s.now()) >= s.need
}

// Credentials returns the current credentials, refreshing them when they
// have less than MinRemaining left. Concurrent callers share one refresh
// and get the same credentials; the refresh goes on when a caller gives up
// (its ctx ends), so the next caller benefits.
func (s *Server) Credentials(ctx context.Context) (*credcache.Credentials, error) {
	s.mu.Lock()
	if c := s.cur; c != nil && s.fresh(c) {
		s.mu.Unlock()
		return c, nil
	}
	cl := s.inflight
	if cl == nil {
		cl = &call{done: make(chan struct{})}
		s.inflight = cl
		go s.refresh(cl)
	}
	s.mu.Unlock()
	select {
	case <-cl.done:
		return cl.creds, cl.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (s *Server) refresh(cl *call) {
	ctx, cancel := context.WithTimeout(s.ctx, s.opt.RefreshTimeout)
	defer cancel()
	c, err := s.b.Get(ctx, s.profile, broker.GetOptions{MinRemaining: s.opt.MinRemaining})
	now := s.now()
	s.mu.Lock()
	if err == nil {
		prev := s.cur
		s.cur = c
		s.need = s.opt.MinRemaining
		if !c.Expiration.IsZero() {
			// A session shorter than the margin (test lifetimes, a role
			// capped by the lab): serve it until half of what it had when
			// obtained is left, rather than refresh on every call.
			if rem := c.Expiration.Sub(now); rem < s.need {
				s.need = rem / 2
			}
		}
		if prev == nil || prev.AccessKeyID != c.AccessKeyID {
			exp := "no expiry"
			if !c.Expiration.IsZero() {
				exp = "valid until " + c.Expiration.Local().Format("2006-01-02 15:04:05 MST")
			}
			fmt.Fprintf(s.opt.Log, "awsmfa: serving credentials of profile %q (access key %s), %s\n", s.profile, c.AccessKeyID, exp)
		}
	}
	s.inflight = nil
	s.mu.Unlock()
	cl.creds, cl.err = c, err
	close(cl.done)
}

// Response is the container-credentials JSON.
type Response struct {
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string `json:"SecretAccessKey"`
	Token           string `json:"Token"`
	Expiration      string `json:"Expiration"`
	AccountID       string `json:"AccountId,omitempty"`
}

// ErrorResponse is the body of a failed request.
type ErrorResponse struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// staticValidity is the Expiration reported for credentials that do not
// expire (static keys): botocore requires the field, and a nominal hour
// only makes clients ask again now and then.
const staticValidity = time.Hour

// MaxHeaderBytes bounds a request's header; a larger one is answered 431
// by net/http.
const MaxHeaderBytes = 16 << 10

// ServeHTTP answers a credentials request: no body, Host, method, path
// and token checked, then the current credentials.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if r.ContentLength != 0 {
		// Credentials requests carry no body: one that announces a body
		// (Content-Length or chunked) is refused unread, and the
		// connection closed rather than drained.
		w.Header().Set("Connection", "close")
		s.fail(w, r, http.StatusRequestEntityTooLarge, "BodyNotAllowed", "credentials requests carry no body; this endpoint reads none")
		return
	}
	if !s.hostAllowed(r.Host) {
		s.fail(w, r, http.StatusForbidden, "InvalidHost", fmt.Sprintf("Host %q is not this server (127.0.0.1:%s or localhost:%s)", r.Host, s.port, s.port))
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		s.fail(w, r, http.StatusMethodNotAllowed, "MethodNotAllowed", "use GET")
		return
	}
	if r.URL.Path != "/" {
		s.fail(w, r, http.StatusNotFound, "NotFound", "no such path; the credentials are at /")
		return
	}
	auth := r.Header.Get("Authorization")
	if auth == "" {
		s.fail(w, r, http.StatusUnauthorized, "MissingToken", "the Authorization header must carry the token (AWS_CONTAINER_AUTHORIZATION_TOKEN)")
		return
	}
	h := sha256.Sum256([]byte(auth))
	if subtle.ConstantTimeCompare(h[:], s.tokenH[:]) != 1 {
		s.fail(w, r, http.StatusForbidden, "InvalidToken", "the Authorization header does not carry this server's token")
		return
	}
	c, err := s.Credentials(r.Context())
	if err != nil {
		code := string(broker.ErrorCodeOf(err))
		if code == "" {
			code = "CredentialsUnavailable"
		}
		s.fail(w, r, http.StatusInternalServerError, code, err.Error())
		return
	}
	exp := c.Expiration
	if exp.IsZero() {
		exp = s.now().Add(staticValidity)
	}
	body, err := json.Marshal(Response{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, Token: c.SessionToken,
		Expiration: exp.UTC().Format(time.RFC3339), AccountID: c.AccountID})
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, "InternalError", err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}

// hostAllowed accepts the Host header 127.0.0.1:PORT or localhost:PORT.
func (s *Server) hostAllowed(host string) bool {
	h, p, err := net.SplitHostPort(host)
	if err != nil || p != s.port {
		return false
	}
	return h == "127.0.0.1" || strings.EqualFold(h, "localhost")
}

func (s *Server) fail(w http.ResponseWriter, r *http.Request, status int, code, msg string) {
	if s.opt.Verbose || status == http.StatusInternalServerError {
		fmt.Fprintf(s.opt.Log, "awsmfa: %s %s from %s: %d %s: %s\n", r.Method, r.URL.Path, r.RemoteAddr, status, code, msg)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(ErrorResponse{Code: code, Message: msg})
}
