package lab

import (
	"strconv"
	"unicode/utf8"
)

// A hand-written encoder for the awsQuery results answered most often
// (GetCallerIdentity, GetSessionToken, AssumeRole, ListUsers, GetUser,
// CreateUser, ListRoles, GetRole). It writes exactly what encoding/xml's
// Encoder with Indent("  ", "  ") writes for the same structs, without
// reflection: xmlenc_test.go compares both for every type encoded here,
// and FuzzXMLEncoder for arbitrary strings. Other results still go
// through encoding/xml.

// xmlFields is implemented by results encoded by hand: append the child
// elements of the value, each on a new line indented for depth.
type xmlFields interface {
	appendXMLFields(b []byte, depth int) []byte
}

// xmlIndent starts a new line at depth (the Result element is depth 0,
// indented by two spaces).
func xmlIndent(b []byte, depth int) []byte {
	b = append(b, '\n', ' ', ' ')
	for i := 0; i < depth; i++ {
		b = append(b, ' ', ' ')
	}
	return b
}

// xmlSafe marks the ASCII bytes written unescaped in character data.
var xmlSafe = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = true
	}
	for _, c := range `"'&<>` {
		t[c] = false
	}
	return t
}()

// xmlEscape appends s escaped as encoding/xml escapes character data
// (printer.EscapeString): the five XML special characters, tab, newline
// and carriage return as references, and each invalid UTF-8 byte or
// character outside XML's Char range as U+FFFD.
func xmlEscape(b []byte, s string) []byte {
	i := 0
	for i < len(s) && s[i] < utf8.RuneSelf && xmlSafe[s[i]] {
		i++
	}
	if i == len(s) {
		return append(b, s...)
	}
	b = append(b, s[:i]...)
	last := i
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf && xmlSafe[c] {
			i++
			continue
		}
		r, width := rune(c), 1
		if c >= utf8.RuneSelf {
			r, width = utf8.DecodeRuneInString(s[i:])
		}
		var esc string
		switch r {
		case '"':
			esc = "&#34;"
		case '\'':
			esc = "&#39;"
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '\t':
			esc = "&#x9;"
		case '\n':
			esc = "&#xA;"
		case '\r':
			esc = "&#xD;"
		default:
			if !xmlCharRange(r) || (r == utf8.RuneError && width == 1) {
				esc = "\uFFFD"
				break
			}
			i += width
			continue
		}
		b = append(b, s[last:i]...)
		b = append(b, esc...)
		i += width
		last = i
	}
	return append(b, s[last:]...)
}

// xmlCharRange is XML 1.0's Char production (encoding/xml's isInCharacterRange).
func xmlCharRange(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}

func xmlOpen(b []byte, depth int, name string) []byte {
	b = xmlIndent(b, depth)
	b = append(b, '<')
	b = append(b, name...)
	return append(b, '>')
}

func xmlEnd(b []byte, name string) []byte {
	b = append(b, '<', '/')
	b = append(b, name...)
	return append(b, '>')
}

// xmlString appends <name>value</name>.
func xmlString(b []byte, depth int, name, value string) []byte {
	b = xmlOpen(b, depth, name)
	b = xmlEscape(b, value)
	return xmlEnd(b, name)
}

// xmlStringOmitEmpty is xmlString for an `xml:",omitempty"` field.
func xmlStringOmitEmpty(b []byte, depth int, name, value string) []byte {
	if value == "" {
		return b
	}
	return xmlString(b, depth, name, value)
}

func xmlBool(b []byte, depth int, name string, value bool) []byte {
	b = xmlOpen(b, depth, name)
	b = strconv.AppendBool(b, value)
	return xmlEnd(b, name)
}

func xmlInt(b []byte, depth int, name string, value int) []byte {
	b = xmlOpen(b, depth, name)
	b = strconv.AppendInt(b, int64(value), 10)
	return xmlEnd(b, name)
}

// xmlStruct appends <name>fields</name>; an element without children
// closes on the same line, as encoding/xml writes it.
func xmlStruct[T xmlFields](b []byte, depth int, name string, v T) []byte {
	b = xmlOpen(b, depth, name)
	n := len(b)
	b = v.appendXMLFields(b, depth+1)
	if len(b) > n {
		b = xmlIndent(b, depth)
	}
	return xmlEnd(b, name)
}

// xmlList appends a list (see list.MarshalXML): <name>, one <member> per
// item, </name>, present even when empty.
func xmlList[T xmlFields](b []byte, depth int, name string, l list[T]) []byte {
	b = xmlOpen(b, depth, name)
	for i := range l {
		b = xmlStruct(b, depth+1, "member", l[i])
	}
	if len(l) > 0 {
		b = xmlIndent(b, depth)
	}
	return xmlEnd(b, name)
}

func (v tagXML) appendXMLFields(b []byte, d int) []byte {
	b = xmlString(b, d, "Key", v.Key)
	return xmlString(b, d, "Value", v.Value)
}

// appendTags writes an `xml:",omitempty"` Tags field.
func appendTags(b []byte, d int, tags list[tagXML]) []byte {
	if len(tags) == 0 {
		return b
	}
	return xmlList(b, d, "Tags", tags)
}

// appendPageInfo writes an embedded pageInfo. (A method would be promoted
// to every result embedding pageInfo, making it an xmlFields.)
func appendPageInfo(b []byte, d int, v pageInfo) []byte {
	b = xmlBool(b, d, "IsTruncated", v.IsTruncated)
	return xmlStringOmitEmpty(b, d, "Marker", v.Marker)
}

func (v userXML) appendXMLFields(b []byte, d int) []byte {
	b = xmlStringOmitEmpty(b, d, "Path", v.Path)
	b = xmlStringOmitEmpty(b, d, "UserName", v.UserName)
	b = xmlString(b, d, "UserId", v.UserId)
	b = xmlString(b, d, "Arn", v.Arn)
	b = xmlString(b, d, "CreateDate", v.CreateDate)
	return appendTags(b, d, v.Tags)
}

func (v listUsersResult) appendXMLFields(b []byte, d int) []byte {
	b = xmlList(b, d, "Users", v.Users)
	return appendPageInfo(b, d, v.pageInfo)
}

func (v getUserResult) appendXMLFields(b []byte, d int) []byte {
	return xmlStruct(b, d, "User", v.User)
}

func (v createUserResult) appendXMLFields(b []byte, d int) []byte {
	return xmlStruct(b, d, "User", v.User)
}

func (v roleLastUsedXML) appendXMLFields(b []byte, d int) []byte {
	b = xmlStringOmitEmpty(b, d, "LastUsedDate", v.LastUsedDate)
	return xmlStringOmitEmpty(b, d, "Region", v.Region)
}

func (v roleXML) appendXMLFields(b []byte, d int) []byte {
	b = xmlString(b, d, "Path", v.Path)
	b = xmlString(b, d, "RoleName", v.RoleName)
	b = xmlString(b, d, "RoleId", v.RoleId)
	b = xmlString(b, d, "Arn", v.Arn)
	b = xmlString(b, d, "CreateDate", v.CreateDate)
	b = xmlString(b, d, "AssumeRolePolicyDocument", v.AssumeRolePolicyDocument)
	b = xmlStringOmitEmpty(b, d, "Description", v.Description)
	b = xmlInt(b, d, "MaxSessionDuration", v.MaxSessionDuration)
	if v.RoleLastUsed != nil {
		b = xmlStruct(b, d, "RoleLastUsed", *v.RoleLastUsed)
	}
	return appendTags(b, d, v.Tags)
}

func (v listRolesResult) appendXMLFields(b []byte, d int) []byte {
	b = xmlList(b, d, "Roles", v.Roles)
	return appendPageInfo(b, d, v.pageInfo)
}

func (v getRoleResult) appendXMLFields(b []byte, d int) []byte {
	return xmlStruct(b, d, "Role", v.Role)
}

func (v getCallerIdentityResult) appendXMLFields(b []byte, d int) []byte {
	b = xmlString(b, d, "Arn", v.Arn)
	b = xmlString(b, d, "UserId", v.UserId)
	return xmlString(b, d, "Account", v.Account)
}

func (v credentialsXML) appendXMLFields(b []byte, d int) []byte {
	b = xmlString(b, d, "AccessKeyId", v.AccessKeyId)
	b = xmlString(b, d, "SecretAccessKey", v.SecretAccessKey)
	b = xmlString(b, d, "SessionToken", v.SessionToken)
	return xmlString(b, d, "Expiration", v.Expiration)
}

func (v getSessionTokenResult) appendXMLFields(b []byte, d int) []byte {
	return xmlStruct(b, d, "Credentials", v.Credentials)
}

func (v assumedRoleUserXML) appendXMLFields(b []byte, d int) []byte {
	b = xmlString(b, d, "AssumedRoleId", v.AssumedRoleId)
	return xmlString(b, d, "Arn", v.Arn)
}

func (v assumeRoleResult) appendXMLFields(b []byte, d int) []byte {
	b = xmlStruct(b, d, "Credentials", v.Credentials)
	b = xmlStruct(b, d, "AssumedRoleUser", v.AssumedRoleUser)
	if v.PackedPolicySize != nil {
		b = xmlInt(b, d, "PackedPolicySize", *v.PackedPolicySize)
	}
	return xmlStringOmitEmpty(b, d, "SourceIdentity", v.SourceIdentity)
}

func (v createRoleResult) appendXMLFields(b []byte, d int) []byte {
	return xmlStruct(b, d, "Role", v.Role)
}
