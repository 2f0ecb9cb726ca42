// Package lab is a local AWS-compatible STS, IAM and EC2 (DescribeRegions)
// endpoint that enforces IAM policies with internal/eval and verifies MFA
// codes, so the AWS CLI and SDKs can play an MFA setup offline.
//
// Every request is authenticated with SigV4 (internal/sigv4), its caller
// identified (long-term access key, or temporary credentials whose session
// token must match), its request context built as AWS builds it for that
// kind of credentials (internal/credctx), and authorized against the
// caller's identity-based policies, session policy and, for sts:AssumeRole,
// the role's trust policy. Answers use the awsQuery protocol (EC2's
// variant for ec2:DescribeRegions) with AWS's error codes and messages.
//
// The server listens on loopback only. State lives in an internal/lab/store
// Store.
package lab

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/awsmfa/awsmfa/internal/lab/store"
	"github.com/awsmfa/awsmfa/internal/sigv4"
)

// Config configures a Server.
type Config struct {
	// Store holds the account. Required.
	Store *store.Store
	// Addr is the listen address; it must be a loopback address
	// (127.0.0.1, ::1 or localhost). Port 0 picks a free port. Default
	// "127.0.0.1:0".
	Addr string
	// Logger receives one line per request (nil: no log), as text or, with
	// LogJSON, JSON.
	Logger  io.Writer
	LogJSON bool
	// Now is the server's clock (default time.Now): SigV4 skew, session
	// expiry, MFA codes and aws:CurrentTime use it, and it becomes the
	// store's clock. Clients sign with their own clock, so a test clock
	// must stay within MaxSkew of real time for SDK clients.
	Now func() time.Time
	// AdminToken protects GET /_lab/stats (Authorization: Bearer TOKEN);
	// empty disables the endpoint.
	AdminToken string
	// Lifetimes caps how long issued credentials really last, for tests
	// that must outlive several sessions: DurationSeconds is still
	// validated as AWS does, but the Expiration returned and enforced is at
	// most the cap. Zero fields leave the requested duration.
	Lifetimes Lifetimes
	// MaxSkew is the SigV4 clock-skew limit (default 15 minutes).
	MaxSkew time.Duration
	// Observer, when set, is called after each request with what the log
	// line says (the demo uses it to narrate decisions).
	Observer func(Record)
}

// Lifetimes caps the lifetime of issued temporary credentials.
type Lifetimes struct {
	GetSessionToken time.Duration
	AssumeRole      time.Duration
}

// Server is a lab endpoint.
type Server struct {
	cfg   Config
	st    *store.Store
	now   func() time.Time
	log   *slog.Logger
	stats stats
	cache cache
	// keys caches derived SigV4 signing keys (by a hash of secret and
	// scope; the secrets are not kept there).
	keys *sigv4.KeyCache

	adminHash [32]byte

	mu      sync.Mutex
	srv     *http.Server
	ln      net.Listener
	baseURL string
	done    chan struct{}
}

// New returns a server for the configuration; Start starts listening.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil {
		return nil, errors.New("lab: Config.Store is required")
	}
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	if _, err := loopbackAddr(cfg.Addr); err != nil {
		return nil, err
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	s := &Server{cfg: cfg, st: cfg.Store, now: func() time.Time { return now().UTC() }}
	if cfg.Now != nil {
		cfg.Store.SetClock(cfg.Now)
	}
	s.stats.init()
	s.cache.init()
	s.keys = sigv4.NewKeyCache(signingKeyCacheSize)
	if cfg.Logger != nil {
		opts := &slog.HandlerOptions{}
		if cfg.LogJSON {
			s.log = slog.New(slog.NewJSONHandler(cfg.Logger, opts))
		} else {
			s.log = slog.New(slog.NewTextHandler(cfg.Logger, opts))
		}
	}
	if cfg.AdminToken != "" {
		s.adminHash = sha256.Sum256([]byte(cfg.AdminToken))
	}
	return s, nil
}

// signingKeyCacheSize bounds the signing-key cache: one key per access
// key, day, region and service in use.
const signingKeyCacheSize = 4096

// loopbackAddr checks that addr names a loopback host and returns it with
// "localhost" replaced by 127.0.0.1.
func loopbackAddr(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("lab: listen address %q: %w", addr, err)
	}
	if strings.EqualFold(host, "localhost") {
		host = "127.0.0.1"
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return "", fmt.Errorf("lab: refusing to listen on %q: the lab serves loopback addresses only (127.0.0.1, ::1)", addr)
	}
	return net.JoinHostPort(host, port), nil
}

// Start listens and serves in the background; it returns the base URL
// (http://127.0.0.1:PORT) to use as the endpoint.
func (s *Server) Start() (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv != nil {
		return "", errors.New("lab: server already started")
	}
	addr, err := loopbackAddr(s.cfg.Addr)
	if err != nil {
		return "", err
	}
	// Sessions that expired a day ago can never be used again.
	_, _ = s.st.DeleteExpiredSessions(s.now().Add(-24 * time.Hour))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("lab: %w", err)
	}
	s.ln = ln
	s.srv = &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	s.baseURL = "http://" + ln.Addr().String()
	s.done = make(chan struct{})
	srv, done := s.srv, s.done
	go func() {
		defer close(done)
		_ = srv.Serve(ln)
	}()
	return s.baseURL, nil
}

// URL returns the base URL once started.
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.baseURL
}

// Shutdown stops the server gracefully: it stops accepting connections and
// waits for requests in flight until ctx ends.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	srv, done := s.srv, s.done
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	err := srv.Shutdown(ctx)
	<-done
	return err
}

// Close shuts the server down, waiting up to five seconds for requests in
// flight. It does not close the store.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return s.Shutdown(ctx)
}

// Handler returns the HTTP handler (API on every path, plus
// GET /_lab/stats).
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

// Stats returns the call counters: for each action "service:Action" the
// number of calls and "service:Action ok" the number answered
// successfully, plus "requests", "errors" (any non-2xx answer) and
// "denied" (AccessDenied, UnauthorizedOperation and AccessDeniedException answers).
func (s *Server) Stats() map[string]int { return s.stats.snapshot() }

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/_lab/") {
		s.serveAdmin(w, r)
		return
	}
	rq := &request{id: newRequestID(), start: time.Now(), now: s.now(), r: r, service: sniffService(r)}
	// The lab's clock, not the host's: SDKs correct their clock skew from
	// this header, so a lab whose clock is moved (tests) must say so.
	w.Header()["Date"] = []string{timeStrings(rq.now.UTC()).http}
	err := s.handle(w, rq)
	if err != nil {
		ae, known := toAPIError(err)
		if !known {
			rq.internalErr = err
		}
		switch rq.service {
		case serviceEC2:
			ae = ec2Error(ae)
		case serviceOrganizations:
			ae = jsonError(ae)
		}
		rq.status, rq.errCode = ae.Status, ae.Code
		writeError(w, rq.service, rq.id, ae)
	}
	s.finish(rq)
}

// serveAdmin answers GET /_lab/stats for a bearer of the admin token.
func (s *Server) serveAdmin(w http.ResponseWriter, r *http.Request) {
	writeJSON := func(status int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
	if r.URL.Path != "/_lab/stats" || s.cfg.AdminToken == "" {
		writeJSON(http.StatusNotFound, map[string]string{"error": "not found"})
		return
	}
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		writeJSON(http.StatusMethodNotAllowed, map[string]string{"error": "method not allowed"})
		return
	}
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	h := sha256.Sum256([]byte(token))
	if !ok || subtle.ConstantTimeCompare(h[:], s.adminHash[:]) != 1 {
		w.Header().Set("WWW-Authenticate", `Bearer realm="awsmfa lab"`)
		writeJSON(http.StatusUnauthorized, map[string]string{"error": "a valid admin bearer token is required"})
		return
	}
	writeJSON(http.StatusOK, s.Stats())
}
