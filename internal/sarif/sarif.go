// Package sarif writes SARIF 2.1.0 logs
// (https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html), the
// subset code-scanning services read. `policy lint` and `audit` share it:
// each fills a Log with its rules and results.
package sarif

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/url"
	"path/filepath"
	"strings"
)

// Schema and Version name the SARIF format written.
const (
	Schema  = "https://json.schemastore.org/sarif-2.1.0.json"
	Version = "2.1.0"
)

// InformationURI is the tool's home page.
const InformationURI = "https://github.com/awsmfa/awsmfa"

// Log is a SARIF log.
type Log struct {
	Schema  string `json:"$schema"`
	Version string `json:"version"`
	Runs    []Run  `json:"runs"`
}

// Run is one run of a tool.
type Run struct {
	Tool       Tool     `json:"tool"`
	ColumnKind string   `json:"columnKind"`
	Results    []Result `json:"results"`
}

// Tool describes the tool.
type Tool struct {
	Driver Driver `json:"driver"`
}

// Driver is the tool's main component and its rules.
type Driver struct {
	Name           string `json:"name"`
	Version        string `json:"version,omitempty"`
	InformationURI string `json:"informationUri"`
	Rules          []Rule `json:"rules"`
}

// Text is a message or description.
type Text struct {
	Text string `json:"text"`
}

// Rule is a reportingDescriptor.
type Rule struct {
	ID                   string     `json:"id"`
	Name                 string     `json:"name"`
	ShortDescription     Text       `json:"shortDescription"`
	FullDescription      Text       `json:"fullDescription"`
	Help                 Text       `json:"help"`
	HelpURI              string     `json:"helpUri,omitempty"`
	DefaultConfiguration RuleConfig `json:"defaultConfiguration"`
}

// RuleConfig is a rule's default configuration.
type RuleConfig struct {
	Level   string `json:"level"`
	Enabled bool   `json:"enabled"`
}

// Result is one finding.
type Result struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             Text              `json:"message"`
	Locations           []Location        `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints,omitempty"`
	// Properties is SARIF's property bag for what the format has no field
	// for.
	Properties map[string]any `json:"properties,omitempty"`
}

// Location is where a result is: a place in a file, logical names, or
// both.
type Location struct {
	PhysicalLocation *PhysicalLocation `json:"physicalLocation,omitempty"`
	LogicalLocations []LogicalLocation `json:"logicalLocations,omitempty"`
}

// PhysicalLocation is a file and a region of it.
type PhysicalLocation struct {
	ArtifactLocation ArtifactLocation `json:"artifactLocation"`
	Region           *Region          `json:"region,omitempty"`
}

// ArtifactLocation is a file's URI, relative to URIBaseID when set.
type ArtifactLocation struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

// Region is a place in a file (1-based).
type Region struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
}

// LogicalLocation names a place that is not (only) a file position: a
// policy statement, a principal.
type LogicalLocation struct {
	FullyQualifiedName string `json:"fullyQualifiedName"`
	Kind               string `json:"kind,omitempty"`
}

// Level names the SARIF levels results use.
const (
	LevelError   = "error"
	LevelWarning = "warning"
	LevelNote    = "note"
)

// NewLog returns a log with one run of awsmfa, with rules (results refer
// to them by index) and room for n results. Columns count Unicode code
// points.
func NewLog(toolVersion string, rules []Rule, n int) *Log {
	return &Log{
		Schema:  Schema,
		Version: Version,
		Runs: []Run{{
			Tool: Tool{Driver: Driver{
				Name: "awsmfa", Version: toolVersion, InformationURI: InformationURI, Rules: rules,
			}},
			ColumnKind: "unicodeCodePoints",
			Results:    make([]Result, 0, n),
		}},
	}
}

// Add appends a result to the log's run.
func (l *Log) Add(r Result) { l.Runs[0].Results = append(l.Runs[0].Results, r) }

// Write prints the log as indented JSON (HTML characters unescaped).
func (l *Log) Write(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(l)
}

// RuleName turns a rule ID into the PascalCase name SARIF viewers show
// ("keys-act-without-mfa" -> "KeysActWithoutMfa").
func RuleName(id string) string {
	var b strings.Builder
	for _, part := range strings.Split(id, "-") {
		if part == "" {
			continue
		}
		b.WriteString(strings.ToUpper(part[:1]))
		b.WriteString(part[1:])
	}
	return b.String()
}

// ArtifactURI makes a file name into a SARIF artifact URI and its base:
// relative to %SRCROOT% (the current directory cwd) when the file is
// under it, else an absolute file URI with no base.
func ArtifactURI(file, cwd string) (uri, base string) {
	p := file
	if filepath.IsAbs(p) {
		p = filepath.Clean(p)
		if cwd != "" {
			if rel, err := filepath.Rel(cwd, p); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
				return escapePath(filepath.ToSlash(rel)), "%SRCROOT%"
			}
		}
		return (&url.URL{Scheme: "file", Path: filepath.ToSlash(p)}).String(), ""
	}
	p = filepath.ToSlash(filepath.Clean(p))
	return escapePath(strings.TrimPrefix(p, "./")), "%SRCROOT%"
}

func escapePath(p string) string {
	return (&url.URL{Path: p}).EscapedPath()
}

// Fingerprint identifies a result across runs from the parts that do not
// move with line numbers (rule, file, statement, message...): the first 16
// bytes of their SHA-256, in hex.
func Fingerprint(parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(h[:16])
}
