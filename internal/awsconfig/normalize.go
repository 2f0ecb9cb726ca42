package awsconfig

import (
	"fmt"
	"strings"
	"unicode"
)

// Normalisation turns literally parsed sections into profiles, following
// smithy-rs (aws-config/src/profile/parser/normalize.rs):
//
//   - A section name is split at its first space or tab into a prefix and a
//     name: "[profile foo]" has prefix "profile" and name "foo"; "[foo]" has
//     no prefix. Both parts are trimmed. The prefix is case-sensitive.
//   - Config file: "[default]" and "[profile NAME]" are profiles;
//     "[sso-session NAME]" are SSO sessions; any other "[PREFIX NAME]" (such
//     as "[services NAME]") is a section whose properties are groups of
//     sub-properties; an unprefixed section other than [default] is ignored.
//   - Credentials file: only unprefixed sections, all of them profiles.
//   - Names must be identifiers ([A-Za-z0-9_\-/.%@:+]+) and so must keys;
//     sections or keys that are not are ignored (with a warning), not errors.
//   - If a config file has a "[profile default]" section, its "[default]"
//     sections are ignored.
//   - Sections with the same name merge; a later key replaces an earlier one.
//   - The credentials file is merged after the config file, so its keys win.

const (
	prefixProfile    = "profile"
	prefixSSOSession = "sso-session"
	prefixServices   = "services"
	defaultProfile   = "default"
)

type sectionKey struct {
	prefix    string
	hasPrefix bool
	name      string
}

func parseSectionKey(raw string) sectionKey {
	s := trimWS(raw)
	if i := strings.IndexAny(s, " \t"); i >= 0 {
		return sectionKey{
			prefix:    strings.TrimFunc(s[:i], unicode.IsSpace),
			hasPrefix: true,
			name:      strings.TrimFunc(s[i+1:], unicode.IsSpace),
		}
	}
	return sectionKey{name: strings.TrimFunc(s, unicode.IsSpace)}
}

func (k sectionKey) isUnprefixedDefault() bool { return !k.hasPrefix && k.name == defaultProfile }
func (k sectionKey) isPrefixedDefault() bool {
	return k.hasPrefix && k.prefix == prefixProfile && k.name == defaultProfile
}

// validFor reports whether the section is used in a file of the given kind;
// when not, the reason is returned for the warning.
func (k sectionKey) validFor(kind FileKind) (bool, string) {
	switch kind {
	case ConfigFile:
		if k.hasPrefix {
			if !IsIdentifier(k.name) {
				return false, fmt.Sprintf("section [%s %s] ignored: %q is not a valid name (allowed: letters, digits and _-/.%%@:+)", k.prefix, k.name, k.name)
			}
			return true, ""
		}
		if k.isUnprefixedDefault() {
			return true, ""
		}
		return false, fmt.Sprintf("section [%s] ignored: profiles in the config file other than [default] need the prefix, as in [profile %s]", k.name, k.name)
	default:
		if k.hasPrefix {
			if k.prefix == prefixProfile {
				return false, fmt.Sprintf("section [profile %s] ignored: profiles in the credentials file are written without the \"profile\" prefix, as in [%s]", k.name, k.name)
			}
			return false, fmt.Sprintf("section [%s %s] ignored: such sections belong in the config file", k.prefix, k.name)
		}
		if !IsIdentifier(k.name) {
			return false, fmt.Sprintf("section [%s] ignored: %q is not a valid profile name (allowed: letters, digits and _-/.%%@:+)", k.name, k.name)
		}
		return true, ""
	}
}

// IsIdentifier reports whether s is a valid profile name or property key for
// the SDKs: one or more of A-Z a-z 0-9 _ - / . % @ : +. (smithy-rs accepts
// the empty string as well; an empty profile name is treated as invalid here.)
func IsIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("_-/.%@:+", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// profileSections returns, for a parsed config or credentials file, the
// sections that make up profile name (in file order), honouring the
// [profile default] over [default] rule.
func (pf *parsedFile) profileSections(kind FileKind, name string) []*rawSection {
	hasPrefixedDefault := false
	if kind == ConfigFile {
		for _, s := range pf.sections {
			k := parseSectionKey(s.name)
			if ok, _ := k.validFor(kind); ok && k.isPrefixedDefault() {
				hasPrefixedDefault = true
				break
			}
		}
	}
	var out []*rawSection
	for _, s := range pf.sections {
		k := parseSectionKey(s.name)
		if ok, _ := k.validFor(kind); !ok {
			continue
		}
		switch {
		case kind == CredentialsFile && k.name == name:
		case kind == ConfigFile && k.hasPrefix && k.prefix == prefixProfile && k.name == name:
		case kind == ConfigFile && k.isUnprefixedDefault() && name == defaultProfile && !hasPrefixedDefault:
		default:
			continue
		}
		out = append(out, s)
	}
	return out
}

// merge adds the sections of one parsed file to c.
func (c *Config) merge(pf *parsedFile, kind FileKind) {
	keys := make([]sectionKey, len(pf.sections))
	valid := make([]bool, len(pf.sections))
	hasPrefixedDefault := false
	for i, s := range pf.sections {
		keys[i] = parseSectionKey(s.name)
		ok, why := keys[i].validFor(kind)
		valid[i] = ok
		if !ok {
			c.warn(pf.path, pf.lines[s.header].num, why)
			c.ignored = append(c.ignored, ignoredSection{name: keys[i].name, prefix: keys[i].prefix,
				at: Location{pf.path, pf.lines[s.header].num}, why: why})
			continue
		}
		if keys[i].isPrefixedDefault() {
			hasPrefixedDefault = true
		}
	}
	c.warnDuplicates(pf, keys, valid)
	for i, s := range pf.sections {
		if !valid[i] {
			continue
		}
		k := keys[i]
		at := Location{File: pf.path, Line: pf.lines[s.header].num}
		switch {
		case k.isUnprefixedDefault() && hasPrefixedDefault:
			c.warn(at.File, at.Line, "section [default] ignored because the file also has [profile default], which takes priority")
		case !k.hasPrefix || k.prefix == prefixProfile:
			c.mergeSection(c.section(&c.profiles, k.name), s, pf)
			c.profiles[k.name].Locations = append(c.profiles[k.name].Locations, at)
		case k.prefix == prefixSSOSession:
			c.mergeSection(c.section(&c.ssoSessions, k.name), s, pf)
			c.ssoSessions[k.name].Locations = append(c.ssoSessions[k.name].Locations, at)
		default:
			c.mergeOther(k, s, pf)
		}
	}
}

func (c *Config) section(m *map[string]*Section, name string) *Section {
	if *m == nil {
		*m = map[string]*Section{}
	}
	s := (*m)[name]
	if s == nil {
		s = &Section{Name: name, props: map[string]Property{}}
		(*m)[name] = s
	}
	return s
}

func (c *Config) mergeSection(dst *Section, s *rawSection, pf *parsedFile) {
	for _, p := range s.props {
		line := pf.lines[p.line].num
		if !IsIdentifier(p.key) {
			c.warn(pf.path, line, fmt.Sprintf("key %q ignored in [%s]: not a valid key (allowed: letters, digits and _-/.%%@:+)", p.key, s.name))
			continue
		}
		dst.props[p.key] = Property{Key: p.key, Value: p.value, Location: Location{File: pf.path, Line: line}}
	}
}

// mergeOther stores a "[PREFIX NAME]" section other than profile and
// sso-session: every property is a group of sub-properties, as in
//
//	[services lab]
//	sts =
//	  endpoint_url = http://127.0.0.1:4566
func (c *Config) mergeOther(k sectionKey, s *rawSection, pf *parsedFile) {
	if k.prefix != prefixServices {
		why := fmt.Sprintf("section [%s %s] ignored: unknown section type %q", k.prefix, k.name, k.prefix)
		if strings.EqualFold(k.prefix, prefixProfile) {
			why = fmt.Sprintf("section [%s %s] ignored: the prefix is case-sensitive, write [profile %s]", k.prefix, k.name, k.name)
		}
		at := Location{pf.path, pf.lines[s.header].num}
		c.warn(at.File, at.Line, why)
		c.ignored = append(c.ignored, ignoredSection{name: k.name, prefix: k.prefix, at: at, why: why})
		return
	}
	if c.services == nil {
		c.services = map[string]map[string]map[string]Property{}
	}
	svc := c.services[k.name]
	if svc == nil {
		svc = map[string]map[string]Property{}
		c.services[k.name] = svc
	}
	for _, p := range s.props {
		line := pf.lines[p.line].num
		if !IsIdentifier(p.key) {
			c.warn(pf.path, line, fmt.Sprintf("key %q ignored in [%s]: not a valid service identifier", p.key, s.name))
			continue
		}
		group := svc[p.key]
		if group == nil {
			group = map[string]Property{}
			svc[p.key] = group
		}
		for _, sp := range subProperties(p.value) {
			l := line
			if sp.line > 0 && sp.line <= len(p.conts) {
				l = pf.lines[p.conts[sp.line-1]].num
			}
			group[sp.key] = Property{Key: sp.key, Value: sp.value, Location: Location{File: pf.path, Line: l}}
		}
	}
}

// subProperties splits a property value holding sub-properties ("\na = 1\nb
// = 2") into key/value pairs. Lines without '=' are skipped; keys keep their
// case, as in smithy-rs and botocore. The value is what follows the first
// '=' (botocore; smithy-rs stops at a second '=').
//
// line is the index of the value line the pair comes from (0 = the line of
// the property itself, n = its n-th continuation line).
func subProperties(value string) []subProperty {
	var out []subProperty
	for i, l := range strings.Split(value, "\n") {
		if l == "" {
			continue
		}
		k, v, ok := strings.Cut(l, "=")
		if !ok {
			continue
		}
		out = append(out, subProperty{key: trimWS(k), value: trimWS(v), line: i})
	}
	return out
}

type subProperty struct {
	key, value string
	line       int
}

// ignoredSection remembers a section the SDKs ignore, to explain a profile
// that is "not found" although the user wrote it.
type ignoredSection struct {
	name, prefix string
	at           Location
	why          string
}

// ignoredHint explains why profile name is missing when a section with that
// name was ignored ("[dev]" in the config file, "[profile dev]" in the
// credentials file).
func (c *Config) ignoredHint(name string) string {
	for _, s := range c.ignored {
		if s.name == name && (s.prefix == "" || strings.EqualFold(s.prefix, prefixProfile)) {
			return s.at.String() + ": " + s.why
		}
	}
	return ""
}

// warnDuplicates warns about a section written twice in one file, and a
// key written twice in one section: the SDKs merge them (the shared
// profile-file specification; smithy-rs's conformance suite: "Duplicate
// profiles in the same file merge properties", "Duplicate properties in a
// profile use the last one defined"), and so does awsmfa, but the AWS CLI
// refuses the whole file ("Unable to parse config file": botocore's
// configloader.raw_config_parse uses configparser.RawConfigParser, strict
// by default, which raises DuplicateSectionError and DuplicateOptionError;
// https://github.com/boto/botocore/blob/develop/botocore/configloader.py,
// https://docs.python.org/3/library/configparser.html,
// https://github.com/aws/aws-cli/issues/9261).
func (c *Config) warnDuplicates(pf *parsedFile, keys []sectionKey, valid []bool) {
	first := map[sectionKey]int{}
	for i, s := range pf.sections {
		if !valid[i] {
			continue
		}
		line := pf.lines[s.header].num
		if j, ok := first[keys[i]]; ok {
			c.Warnings = append(c.Warnings, Warning{Kind: WarnCLIRejects, Location: Location{pf.path, line},
				Message: fmt.Sprintf("section [%s] is written again here (first at line %d): the AWS SDKs and awsmfa merge the two, but the AWS CLI refuses the whole file (\"Unable to parse config file\"); merge them into one section",
					trimWS(s.name), pf.lines[pf.sections[j].header].num)})
		} else {
			first[keys[i]] = i
		}
		seen := map[string]int{}
		for _, p := range s.props {
			pl := pf.lines[p.line].num
			if fl, ok := seen[p.key]; ok {
				c.Warnings = append(c.Warnings, Warning{Kind: WarnCLIRejects, Location: Location{pf.path, pl},
					Message: fmt.Sprintf("key %q is set again in [%s] (first at line %d): the AWS SDKs and awsmfa use the last value, but the AWS CLI refuses the whole file (\"Unable to parse config file\"); keep one",
						p.key, trimWS(s.name), fl)})
				continue
			}
			seen[p.key] = pl
		}
	}
}
