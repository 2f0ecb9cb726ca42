package totp

import (
	"bytes"
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/awsmfa/awsmfa/internal/testutil"
)

func readJSON(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testutil.ConformanceDir(t, "rfc"), name))
	if err != nil {
		t.Fatalf("reading conformance data: %v", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("parsing %s: %v", name, err)
	}
}

func TestRFC4226AppendixD(t *testing.T) {
	var doc struct {
		Vectors []struct {
			Counter uint64 `json:"counter"`
			HOTP6   string `json:"hotp_6"`
		} `json:"vectors"`
	}
	readJSON(t, "rfc4226-appendix-d.json", &doc)
	if len(doc.Vectors) != 10 {
		t.Fatalf("want 10 vectors, got %d", len(doc.Vectors))
	}
	secret := []byte("12345678901234567890")
	for _, v := range doc.Vectors {
		if got := CodeAt(secret, v.Counter, 6, SHA1); got != v.HOTP6 {
			t.Errorf("counter %d: got %s want %s", v.Counter, got, v.HOTP6)
		}
	}
}

func TestRFC6238AppendixB(t *testing.T) {
	var doc struct {
		SeedsASCII  map[string]string `json:"seeds_ascii"`
		SeedsBase32 map[string]string `json:"seeds_base32"`
		Digits      int               `json:"digits"`
		Vectors     []struct {
			Unix    int64  `json:"unix_time"`
			THex    string `json:"T_hex"`
			Alg     string `json:"algorithm"`
			TOTP8   string `json:"totp_8"`
			TOTP6   string `json:"totp_6_derived"`
			UTCText string `json:"utc"`
		} `json:"vectors"`
	}
	readJSON(t, "rfc6238-appendix-b.json", &doc)
	if len(doc.Vectors) != 18 || doc.Digits != 8 {
		t.Fatalf("unexpected conformance file: %d vectors, %d digits", len(doc.Vectors), doc.Digits)
	}
	algs := map[string]Algorithm{"SHA1": SHA1, "SHA256": SHA256, "SHA512": SHA512}
	for name, ascii := range doc.SeedsASCII {
		dec, err := DecodeSecret(doc.SeedsBase32[name])
		if err != nil {
			t.Fatalf("%s: DecodeSecret: %v", name, err)
		}
		if string(dec) != ascii {
			t.Errorf("%s: base32 seed decodes to %q", name, dec)
		}
		if enc := EncodeSecret([]byte(ascii)); enc != strings.TrimRight(doc.SeedsBase32[name], "=") {
			t.Errorf("%s: EncodeSecret = %s", name, enc)
		}
	}
	for _, v := range doc.Vectors {
		alg, ok := algs[v.Alg]
		if !ok {
			t.Fatalf("unknown algorithm %q", v.Alg)
		}
		secret := []byte(doc.SeedsASCII[v.Alg])
		tm := time.Unix(v.Unix, 0).UTC()
		if got := tm.Format("2006-01-02 15:04:05"); got != v.UTCText {
			t.Fatalf("time %d: %s vs %s", v.Unix, got, v.UTCText)
		}
		c := Counter(tm)
		if want := parseHex(t, v.THex); c != want {
			t.Errorf("%d: Counter = %x want %x", v.Unix, c, want)
		}
		if got := CodeAt(secret, c, 8, alg); got != v.TOTP8 {
			t.Errorf("%d %s: 8 digits got %s want %s", v.Unix, v.Alg, got, v.TOTP8)
		}
		if got := CodeAt(secret, c, 6, alg); got != v.TOTP6 {
			t.Errorf("%d %s: 6 digits got %s want %s", v.Unix, v.Alg, got, v.TOTP6)
		}
		if v.Alg == "SHA1" {
			if got := Code(secret, tm); got != v.TOTP6 {
				t.Errorf("%d: Code got %s want %s", v.Unix, got, v.TOTP6)
			}
			if c2, ok := Verify(secret, v.TOTP6, tm, 0); !ok || c2 != c {
				t.Errorf("%d: Verify(own code) = %d,%v", v.Unix, c2, ok)
			}
		}
	}
}

func parseHex(t *testing.T, s string) uint64 {
	t.Helper()
	var v uint64
	for _, c := range s {
		v <<= 4
		switch {
		case c >= '0' && c <= '9':
			v |= uint64(c - '0')
		case c >= 'A' && c <= 'F':
			v |= uint64(c-'A') + 10
		case c >= 'a' && c <= 'f':
			v |= uint64(c-'a') + 10
		default:
			t.Fatalf("bad hex %q", s)
		}
	}
	return v
}

func TestCodeAtInvalid(t *testing.T) {
	secret := []byte("12345678901234567890")
	for _, tc := range []struct {
		digits int
		alg    Algorithm
	}{{0, SHA1}, {-1, SHA1}, {11, SHA1}, {6, Algorithm(7)}, {6, Algorithm(-1)}} {
		if got := CodeAt(secret, 1, tc.digits, tc.alg); got != "" {
			t.Errorf("CodeAt(digits=%d, alg=%v) = %q, want empty", tc.digits, tc.alg, got)
		}
	}
	// 10 digits: the full 31-bit truncated value, zero padded.
	got := CodeAt(secret, 1, 10, SHA1)
	if len(got) != 10 || !strings.HasSuffix(got, "94287082") {
		t.Errorf("10 digits = %q", got)
	}
	for d := 1; d <= MaxDigits; d++ {
		if g := CodeAt(secret, 1, d, SHA1); g != got[10-d:] {
			t.Errorf("digits %d: %q is not the suffix of %q", d, g, got)
		}
	}
}

func TestAlgorithmString(t *testing.T) {
	for a, want := range map[Algorithm]string{SHA1: "SHA1", SHA256: "SHA256", SHA512: "SHA512", 9: "Algorithm(9)"} {
		if a.String() != want {
			t.Errorf("%d: %s", int(a), a.String())
		}
	}
}

func TestCounter(t *testing.T) {
	for _, tc := range []struct {
		unix int64
		want uint64
	}{{0, 0}, {29, 0}, {30, 1}, {59, 1}, {60, 2}, {-1, 0}, {-100000, 0}, {1111111109, 0x23523EC}} {
		if got := Counter(time.Unix(tc.unix, 999_999_999)); got != tc.want {
			t.Errorf("Counter(%d) = %d want %d", tc.unix, got, tc.want)
		}
	}
}

func TestVerify(t *testing.T) {
	secret := []byte("12345678901234567890")
	now := time.Unix(1111111109, 0) // counter 0x23523EC
	c := Counter(now)
	codeAt := func(cnt uint64) string { return CodeAt(secret, cnt, 6, SHA1) }
	tests := []struct {
		name    string
		code    string
		skew    int
		ok      bool
		counter uint64
	}{
		{"current", codeAt(c), 1, true, c},
		{"previous step", codeAt(c - 1), 1, true, c - 1},
		{"next step", codeAt(c + 1), 1, true, c + 1},
		{"two back, skew 1", codeAt(c - 2), 1, false, 0},
		{"two ahead, skew 1", codeAt(c + 2), 1, false, 0},
		{"two back, skew 2", codeAt(c - 2), 2, true, c - 2},
		{"previous, skew 0", codeAt(c - 1), 0, false, 0},
		{"negative skew is 0", codeAt(c - 1), -5, false, 0},
		{"negative skew current", codeAt(c), -5, true, c},
		{"five digits", codeAt(c)[1:], 1, false, 0},
		{"seven digits", codeAt(c) + "0", 1, false, 0},
		{"eight digit TOTP", CodeAt(secret, c, 8, SHA1), 1, false, 0},
		{"letters", "12a456", 1, false, 0},
		{"spaces", " " + codeAt(c)[1:], 1, false, 0},
		{"unicode digits", "١٢٣٤٥٦", 1, false, 0},
		{"empty", "", 1, false, 0},
		{"sign", "+12345", 1, false, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := Verify(secret, tc.code, now, tc.skew)
			if ok != tc.ok || got != tc.counter {
				t.Errorf("Verify = (%d,%v), want (%d,%v)", got, ok, tc.counter, tc.ok)
			}
		})
	}
	// A code not in the window must not verify (pick one distinct from all window codes).
	window := map[string]bool{codeAt(c - 1): true, codeAt(c): true, codeAt(c + 1): true}
	for cnt := c + 10; ; cnt++ {
		if code := codeAt(cnt); !window[code] {
			if _, ok := Verify(secret, code, now, 1); ok {
				t.Errorf("code of counter %d verified at counter %d", cnt, c)
			}
			break
		}
	}
	// Wrong secret.
	if _, ok := Verify([]byte("another secret......"), codeAt(c), now, 1); ok {
		// Probability 3e-6 of a chance collision; the values are fixed, so this is deterministic.
		t.Error("code verified with the wrong secret")
	}
}

func TestVerifyEpochEdges(t *testing.T) {
	secret := []byte("12345678901234567890")
	// Counter 0: the window must not wrap around to 2^64-1.
	if c, ok := Verify(secret, CodeAt(secret, ^uint64(0), 6, SHA1), time.Unix(0, 0), 1); ok {
		t.Errorf("wrapped to counter %d", c)
	}
	if c, ok := Verify(secret, CodeAt(secret, 1, 6, SHA1), time.Unix(0, 0), 1); !ok || c != 1 {
		t.Errorf("counter 1 at epoch: %d %v", c, ok)
	}
}

func TestGenerateSecret(t *testing.T) {
	a, err := GenerateSecret()
	if err != nil {
		t.Fatal(err)
	}
	b, err := GenerateSecret()
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != 20 || len(b) != 20 {
		t.Fatalf("lengths %d %d", len(a), len(b))
	}
	if bytes.Equal(a, b) {
		t.Fatal("two generated secrets are equal")
	}
	enc := EncodeSecret(a)
	if len(enc) != 32 || strings.ToUpper(enc) != enc || strings.Contains(enc, "=") {
		t.Fatalf("encoded secret has unexpected form (len %d)", len(enc))
	}
	dec, err := DecodeSecret(enc)
	if err != nil || !bytes.Equal(dec, a) {
		t.Fatalf("round trip failed: %v", err)
	}
}

func TestEncodeSecret(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"f", "MY"},
		{"fo", "MZXQ"},
		{"foo", "MZXW6"},
		{"foob", "MZXW6YQ"},
		{"fooba", "MZXW6YTB"},
		{"foobar", "MZXW6YTBOI"},
	} {
		if got := EncodeSecret([]byte(tc.in)); got != tc.want {
			t.Errorf("EncodeSecret(%q) = %q want %q", tc.in, got, tc.want)
		}
	}
}

func TestDecodeSecret(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string
		err  bool
	}{
		{"GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "12345678901234567890", false},
		{"gezdgnbvgy3tqojqgezdgnbvgy3tqojq", "12345678901234567890", false},
		{"gezd gnbv gy3t qojq gezd gnbv gy3t qojq", "12345678901234567890", false},
		{"GEZD-GNBV-GY3T-QOJQ-GEZD-GNBV-GY3T-QOJQ\n", "12345678901234567890", false},
		{"MZXW6YTBOI======", "foobar", false},
		{"MZXW6YTBOI", "foobar", false},
		{"mzxw6===", "foo", false},
		{"MY", "f", false},
		{"", "", true},
		{"   ", "", true},
		{"====", "", true},
		{"GEZDGNBV1", "", true},   // '1' is not in the alphabet
		{"GEZDGNB8", "", true},    // '8' is not in the alphabet
		{"M", "", true},           // impossible length
		{"MZX", "", true},         // impossible length
		{"MZXW6Y", "", true},      // impossible length
		{"MZ=XW6YTBOI", "", true}, // padding in the middle
		{"MZXW6YTBOI\x00", "", true},
	} {
		got, err := DecodeSecret(tc.in)
		if (err != nil) != tc.err {
			t.Errorf("DecodeSecret(%q) err = %v, want error %v", tc.in, err, tc.err)
			continue
		}
		if !tc.err && string(got) != tc.want {
			t.Errorf("DecodeSecret(%q) = %q want %q", tc.in, got, tc.want)
		}
	}
}

func TestURI(t *testing.T) {
	secret := []byte("12345678901234567890")
	tests := []struct {
		issuer, account, want string
	}{
		{"Amazon Web Services", "alice@123456789012",
			"otpauth://totp/Amazon%20Web%20Services:alice%40123456789012?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Amazon%20Web%20Services&algorithm=SHA1&digits=6&period=30"},
		{"awsmfa-lab", "bob",
			"otpauth://totp/awsmfa-lab:bob?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=awsmfa-lab&algorithm=SHA1&digits=6&period=30"},
		{"A:B&C", "x/y?z=1#f",
			"otpauth://totp/A%3AB%26C:x%2Fy%3Fz%3D1%23f?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=A%3AB%26C&algorithm=SHA1&digits=6&period=30"},
		{"", "carol",
			"otpauth://totp/carol?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&algorithm=SHA1&digits=6&period=30"},
		{"Ünï", "名前",
			"otpauth://totp/%C3%9Cn%C3%AF:%E5%90%8D%E5%89%8D?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=%C3%9Cn%C3%AF&algorithm=SHA1&digits=6&period=30"},
	}
	for _, tc := range tests {
		got := URI(tc.issuer, tc.account, secret)
		if got != tc.want {
			t.Errorf("URI(%q,%q) =\n %s\nwant\n %s", tc.issuer, tc.account, got, tc.want)
		}
		// A standard URL parser must recover issuer, account and secret.
		u, err := url.Parse(got)
		if err != nil {
			t.Fatalf("url.Parse: %v", err)
		}
		if u.Scheme != "otpauth" || u.Host != "totp" {
			t.Errorf("scheme/host %s/%s", u.Scheme, u.Host)
		}
		label := strings.TrimPrefix(u.Path, "/")
		wantLabel := tc.account
		if tc.issuer != "" {
			wantLabel = tc.issuer + ":" + tc.account
		}
		if label != wantLabel {
			t.Errorf("label %q want %q", label, wantLabel)
		}
		q := u.Query()
		if q.Get("issuer") != tc.issuer {
			t.Errorf("issuer param %q", q.Get("issuer"))
		}
		if s, err := DecodeSecret(q.Get("secret")); err != nil || !bytes.Equal(s, secret) {
			t.Errorf("secret param does not decode: %v", err)
		}
	}
}

// TestOathtool cross-checks Code against oath-toolkit's oathtool.
func TestOathtool(t *testing.T) {
	path, err := exec.LookPath("oathtool")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("oathtool not installed (required when CI=true)")
		}
		t.Skip("oathtool not installed")
	}
	secrets := [][]byte{[]byte("12345678901234567890"), {0, 1, 2, 3, 250, 251, 252, 253, 254, 255}}
	if s, err := GenerateSecret(); err == nil {
		secrets = append(secrets, s)
	}
	times := []time.Time{
		time.Unix(59, 0), time.Unix(1111111109, 0), time.Unix(1234567890, 0), time.Unix(2000000000, 0),
		time.Date(2024, 2, 29, 23, 59, 59, 0, time.UTC), time.Now().Truncate(time.Second),
	}
	for _, s := range secrets {
		for _, tm := range times {
			out, err := exec.Command(path, "--totp", "-b", EncodeSecret(s), "--now", tm.UTC().Format("2006-01-02 15:04:05 UTC")).Output()
			if err != nil {
				t.Fatalf("oathtool: %v", err)
			}
			want := strings.TrimSpace(string(out))
			if got := Code(s, tm); got != want {
				t.Errorf("time %s: Code %s, oathtool %s", tm.UTC(), got, want)
			}
			// Verify accepts oathtool's code.
			if _, ok := Verify(s, want, tm, 1); !ok {
				t.Errorf("time %s: Verify rejected oathtool's code", tm.UTC())
			}
		}
	}
}

func FuzzDecodeSecret(f *testing.F) {
	for _, s := range []string{"GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "mzxw6===", "", "a b-c", "====", "M", "\xff\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := DecodeSecret(s)
		if err != nil {
			return
		}
		if len(b) == 0 {
			t.Fatalf("DecodeSecret(%q) returned no bytes and no error", s)
		}
		// Re-encoding and decoding is stable.
		b2, err := DecodeSecret(EncodeSecret(b))
		if err != nil || !bytes.Equal(b, b2) {
			t.Fatalf("round trip of %q failed: %v", s, err)
		}
	})
}

func FuzzVerify(f *testing.F) {
	f.Add([]byte("12345678901234567890"), "287082", int64(59), 1)
	f.Add([]byte{}, "", int64(-5), -1)
	f.Fuzz(func(t *testing.T, secret []byte, code string, unix int64, skew int) {
		if skew > 5 || skew < -5 {
			skew %= 5
		}
		c, ok := Verify(secret, code, time.Unix(unix, 0), skew)
		if ok && CodeAt(secret, c, 6, SHA1) != code {
			t.Fatalf("Verify accepted %q for counter %d", code, c)
		}
	})
}

func BenchmarkVerify(b *testing.B) {
	secret := []byte("12345678901234567890")
	now := time.Unix(1111111109, 0)
	code := Code(secret, now)
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := Verify(secret, code, now, 1); !ok {
			b.Fatal("not ok")
		}
	}
}
