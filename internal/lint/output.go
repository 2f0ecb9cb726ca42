package lint

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// WriteText prints findings for people, one per block:
//
//	file:line:col: severity rule: message
//	    in: path (statement Sid)
//	    fix: ...
func WriteText(w io.Writer, findings []Finding) error {
	bw := bufio.NewWriter(w)
	for _, f := range findings {
		bw.WriteString(location(f))
		fmt.Fprintf(bw, ": %s %s: %s\n", f.Severity, f.Rule, f.Message)
		if f.Path != "" || f.Statement != "" {
			bw.WriteString("    in: ")
			switch {
			case f.Path != "" && f.Statement != "":
				fmt.Fprintf(bw, "%s, statement %s\n", f.Path, f.Statement)
			case f.Path != "":
				fmt.Fprintf(bw, "%s\n", f.Path)
			default:
				fmt.Fprintf(bw, "statement %s\n", f.Statement)
			}
		}
		if f.Fix != "" {
			fmt.Fprintf(bw, "    fix: %s\n", f.Fix)
		}
	}
	return bw.Flush()
}

func location(f Finding) string {
	var b strings.Builder
	b.WriteString(f.File)
	if f.Line > 0 {
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(f.Line))
		if f.Column > 0 {
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(f.Column))
		}
	}
	return b.String()
}

// WriteJSON prints {"findings": [...]}; the list is never null.
func WriteJSON(w io.Writer, findings []Finding) error {
	if findings == nil {
		findings = []Finding{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(struct {
		Findings []Finding `json:"findings"`
	}{findings})
}

// SARIF 2.1.0 (https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html),
// the subset code-scanning services read.
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool       sarifTool     `json:"tool"`
	ColumnKind string        `json:"columnKind"`
	Results    []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifRule struct {
	ID                   string          `json:"id"`
	Name                 string          `json:"name"`
	ShortDescription     sarifText       `json:"shortDescription"`
	FullDescription      sarifText       `json:"fullDescription"`
	Help                 sarifText       `json:"help"`
	HelpURI              string          `json:"helpUri,omitempty"`
	DefaultConfiguration sarifRuleConfig `json:"defaultConfiguration"`
}

type sarifRuleConfig struct {
	Level   string `json:"level"`
	Enabled bool   `json:"enabled"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical  `json:"physicalLocation"`
	LogicalLocations []sarifLogical `json:"logicalLocations,omitempty"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           *sarifRegion  `json:"region,omitempty"`
}

type sarifArtifact struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
}

type sarifLogical struct {
	FullyQualifiedName string `json:"fullyQualifiedName"`
	Kind               string `json:"kind,omitempty"`
}

// InformationURI is the tool's home page in SARIF output.
const InformationURI = "https://github.com/awsmfa/awsmfa"

// WriteSARIF prints findings as a SARIF 2.1.0 log with one run. Every rule
// is listed in tool.driver.rules (results refer to them by index). Paths
// are written relative to %SRCROOT% (the current directory); a file outside
// it gets an absolute file URI. Columns count bytes, which equals
// unicodeCodePoints for ASCII lines.
func WriteSARIF(w io.Writer, findings []Finding, toolVersion string) error {
	all := Rules()
	log := sarifLog{
		Schema:  "https://json.schemastore.org/sarif-2.1.0.json",
		Version: "2.1.0",
		Runs: []sarifRun{{
			Tool: sarifTool{Driver: sarifDriver{
				Name: "awsmfa", Version: toolVersion, InformationURI: InformationURI,
				Rules: make([]sarifRule, len(all)),
			}},
			ColumnKind: "unicodeCodePoints",
			Results:    make([]sarifResult, 0, len(findings)),
		}},
	}
	for i, r := range all {
		log.Runs[0].Tool.Driver.Rules[i] = sarifRule{
			ID:                   r.ID,
			Name:                 sarifName(r.ID),
			ShortDescription:     sarifText{r.Summary},
			FullDescription:      sarifText{r.Help},
			Help:                 sarifText{r.Help + " See " + r.HelpURI},
			HelpURI:              r.HelpURI,
			DefaultConfiguration: sarifRuleConfig{Level: r.Severity.sarifLevel(), Enabled: !r.Optional},
		}
	}
	cwd, _ := os.Getwd()
	for _, f := range findings {
		idx, ok := ruleIndex[f.Rule]
		if !ok {
			return fmt.Errorf("finding with unknown rule %q", f.Rule)
		}
		text := f.Message
		if f.Fix != "" {
			text += " Fix: " + f.Fix
		}
		uri, base := artifactURI(f.File, cwd)
		loc := sarifLocation{PhysicalLocation: sarifPhysical{ArtifactLocation: sarifArtifact{URI: uri, URIBaseID: base}}}
		if f.Line > 0 {
			loc.PhysicalLocation.Region = &sarifRegion{StartLine: f.Line, StartColumn: f.Column}
		}
		if f.Path != "" || f.Statement != "" {
			name := f.Path
			if f.Statement != "" {
				if name != "" {
					name += "."
				}
				name += "Statement[" + f.Statement + "]"
			}
			loc.LogicalLocations = []sarifLogical{{FullyQualifiedName: name, Kind: "object"}}
		}
		log.Runs[0].Results = append(log.Runs[0].Results, sarifResult{
			RuleID: f.Rule, RuleIndex: idx, Level: f.Severity.sarifLevel(),
			Message:             sarifText{text},
			Locations:           []sarifLocation{loc},
			PartialFingerprints: map[string]string{"awsmfa/v1": fingerprint(f)},
		})
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(log)
}

// sarifName turns a rule ID into the PascalCase name SARIF viewers show.
func sarifName(id string) string {
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

// artifactURI makes a file name into a SARIF artifact URI: relative to
// %SRCROOT% when the file is under the current directory.
func artifactURI(file, cwd string) (string, string) {
	p := file
	if filepath.IsAbs(p) {
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

// fingerprint identifies a finding across runs independently of line
// numbers: the rule, file, policy path, statement and message.
func fingerprint(f Finding) string {
	h := sha256.Sum256([]byte(strings.Join([]string{f.Rule, f.File, f.Path, f.Statement, f.Message}, "\x00")))
	return hex.EncodeToString(h[:16])
}
