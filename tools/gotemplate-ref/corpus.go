package main

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// corpusFile is a hand-written corpus area (testdata/corpus/<area>.yaml).
type corpusFile struct {
	Area       string       `yaml:"area"`
	Note       string       `yaml:"note"`
	Funcs      string       `yaml:"funcs"`
	MissingKey string       `yaml:"missingkey"`
	Cases      []corpusCase `yaml:"cases"`
}

type corpusCase struct {
	Name      string            `yaml:"name"`
	Template  *string           `yaml:"template"`
	Templates map[string]string `yaml:"templates"`
	Entry     string            `yaml:"entry"`
	// Data is written as YAML for readability; DataJSON as JSON text when the exact JSON matters.
	Data       interface{} `yaml:"data"`
	DataJSON   string      `yaml:"dataJson"`
	MissingKey string      `yaml:"missingkey"`
	Funcs      string      `yaml:"funcs"`
	// GoSince and SprigSince mark behaviour of a newer Go or Sprig than the reference has: the case is not run
	// through Go and Expect (hand-written from the newer version's documentation) is the golden.
	GoSince    string       `yaml:"goSince"`
	SprigSince string       `yaml:"sprigSince"`
	Expect     *expectation `yaml:"expect"`
	Shape      *shape       `yaml:"shape"`
	// Slow marks a shape case whose Go run takes seconds (RSA-4096 key generation): -quick leaves it unchecked.
	Slow bool   `yaml:"slow"`
	Note string `yaml:"note"`
}

type expectation struct {
	OK     *bool   `yaml:"ok" json:"ok"`
	Output *string `yaml:"output" json:"output,omitempty"`
	Error  string  `yaml:"error" json:"error,omitempty"`
}

// shape checks outputs that cannot match byte for byte (random or time-dependent functions).
type shape struct {
	// Regex must match the whole output; written in the common subset of RE2 and .NET syntax.
	Regex string `yaml:"regex" json:"regex"`
	// Parse names a structural check: "pem-certificate" or "pem-private-key".
	Parse string `yaml:"parse" json:"parse,omitempty"`
}

type goldenFile struct {
	Area  string       `json:"area"`
	Note  string       `json:"note,omitempty"`
	Cases []goldenCase `json:"cases"`
}

type goldenCase struct {
	ID         string            `json:"id"`
	Template   *string           `json:"template,omitempty"`
	Templates  map[string]string `json:"templates,omitempty"`
	Entry      string            `json:"entry,omitempty"`
	Data       json.RawMessage   `json:"data,omitempty"`
	MissingKey string            `json:"missingkey"`
	Funcs      string            `json:"funcs"`
	// Source says where the expectation comes from: "go" (this oracle), "hand" (newer Go or Sprig, written from
	// their documentation) or "shape" (checked by Shape, not compared).
	Source     string        `json:"source"`
	GoSince    string        `json:"goSince,omitempty"`
	SprigSince string        `json:"sprigSince,omitempty"`
	Note       string        `json:"note,omitempty"`
	Expect     *goldenExpect `json:"expect,omitempty"`
	Shape      *shape        `json:"shape,omitempty"`
}

type goldenExpect struct {
	OK           bool    `json:"ok"`
	Output       *string `json:"output,omitempty"`
	OutputBase64 string  `json:"outputBase64,omitempty"`
	Error        string  `json:"error,omitempty"`
}

var caseName = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9._-]*$`)

func compileCorpus(path string, quick bool, out io.Writer) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var file corpusFile
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&file); err != nil {
		return err
	}
	if file.Area == "" {
		file.Area = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	}
	golden := goldenFile{Area: file.Area, Note: file.Note}
	seen := map[string]bool{}
	var problems []string
	for i, c := range file.Cases {
		g, err := compileCase(file, c, quick)
		if err != nil {
			problems = append(problems, fmt.Sprintf("case %d (%s): %v", i+1, c.Name, err))
			continue
		}
		if seen[g.ID] {
			problems = append(problems, fmt.Sprintf("case %d: duplicate name %q", i+1, c.Name))
			continue
		}
		seen[g.ID] = true
		golden.Cases = append(golden.Cases, g)
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "\n  "))
	}

	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(golden); err != nil {
		return err
	}
	_, err = out.Write(buf.Bytes())
	return err
}

func compileCase(file corpusFile, c corpusCase, quick bool) (goldenCase, error) {
	if !caseName.MatchString(c.Name) {
		return goldenCase{}, fmt.Errorf("name must match %s", caseName)
	}
	g := goldenCase{
		ID:         file.Area + "/" + c.Name,
		Template:   c.Template,
		Templates:  c.Templates,
		Entry:      c.Entry,
		MissingKey: firstNonEmpty(c.MissingKey, file.MissingKey, "default"),
		Funcs:      firstNonEmpty(c.Funcs, file.Funcs, "builtin"),
		GoSince:    c.GoSince,
		SprigSince: c.SprigSince,
		Note:       c.Note,
		Shape:      c.Shape,
	}
	if (c.Template == nil) == (c.Templates == nil) {
		return g, errors.New("exactly one of template and templates is required")
	}
	if c.Templates != nil && c.Entry == "" {
		return g, errors.New("templates needs an entry")
	}
	data, err := caseData(c)
	if err != nil {
		return g, err
	}
	g.Data = data

	run := Case{ID: g.ID, Template: g.Template, Templates: g.Templates, Entry: g.Entry, Data: g.Data,
		MissingKey: g.MissingKey, Funcs: g.Funcs}

	if c.Slow && c.Shape == nil {
		return g, errors.New("only shape cases can be slow")
	}

	switch {
	case c.GoSince != "" || c.SprigSince != "":
		if c.Shape != nil {
			return g, errors.New("a newer-version case cannot also be a shape case")
		}
		if c.Expect == nil || c.Expect.OK == nil {
			return g, errors.New("goSince/sprigSince cases need a hand-written expect {ok, output}")
		}
		if *c.Expect.OK && c.Expect.Output == nil {
			return g, errors.New("expect.ok true needs expect.output")
		}
		g.Source = "hand"
		g.Expect = &goldenExpect{OK: *c.Expect.OK, Output: c.Expect.Output, Error: c.Expect.Error}
		return g, nil
	case c.Shape != nil:
		if c.Expect != nil {
			return g, errors.New("a shape case has no expect")
		}
		g.Source = "shape"
		if quick && c.Slow {
			return g, nil
		}
		return g, checkShape(render(run), c.Shape)
	default:
		g.Source = "go"
		r := render(run)
		g.Expect = &goldenExpect{OK: r.OK, Output: r.Output, OutputBase64: r.OutputBase64, Error: r.Error}
		if strings.HasPrefix(r.Error, "bad case:") || strings.HasPrefix(r.Error, "oracle:") {
			return g, errors.New(r.Error)
		}
		if c.Expect != nil {
			if err := confirm(c.Expect, r); err != nil {
				return g, err
			}
		}
		return g, nil
	}
}

func caseData(c corpusCase) (json.RawMessage, error) {
	if c.DataJSON != "" {
		if c.Data != nil {
			return nil, errors.New("data and dataJson are exclusive")
		}
		var check interface{}
		if err := json.Unmarshal([]byte(c.DataJSON), &check); err != nil {
			return nil, fmt.Errorf("dataJson: %v", err)
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, []byte(c.DataJSON)); err != nil {
			return nil, err
		}
		return compact.Bytes(), nil
	}
	if c.Data == nil {
		return nil, nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(c.Data); err != nil {
		return nil, fmt.Errorf("data is not JSON-compatible (string keys only): %v", err)
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// confirm checks an optional hand-written expectation on a case Go decides: the author's intent, verified.
func confirm(e *expectation, r Result) error {
	if e.OK != nil && *e.OK != r.OK {
		return fmt.Errorf("expect.ok %v but Go says ok=%v (output %q, error %q)", *e.OK, r.OK, deref(r.Output), r.Error)
	}
	if e.Output != nil && (r.Output == nil || *e.Output != *r.Output) {
		return fmt.Errorf("expect.output %q but Go says %q (error %q)", *e.Output, deref(r.Output), r.Error)
	}
	if e.Error != "" && !strings.Contains(r.Error, e.Error) {
		return fmt.Errorf("expect.error %q is not in Go's error %q", e.Error, r.Error)
	}
	return nil
}

func checkShape(r Result, s *shape) error {
	if !r.OK || r.Output == nil {
		return fmt.Errorf("shape case failed in Go: %s", r.Error)
	}
	out := *r.Output
	if s.Regex == "" {
		return errors.New("shape needs a regex")
	}
	re, err := regexp.Compile(`^(?:` + s.Regex + `)$`)
	if err != nil {
		return fmt.Errorf("shape regex: %v", err)
	}
	if !re.MatchString(out) {
		return fmt.Errorf("Go output %q does not match shape regex %s", out, s.Regex)
	}
	switch s.Parse {
	case "":
	case "pem-certificate":
		block, _ := pem.Decode([]byte(out))
		if block == nil || block.Type != "CERTIFICATE" {
			return fmt.Errorf("no CERTIFICATE block in %q", out)
		}
		if _, err := x509.ParseCertificate(block.Bytes); err != nil {
			return err
		}
	case "pem-private-key":
		block, _ := pem.Decode([]byte(out))
		if block == nil || !strings.HasSuffix(block.Type, "PRIVATE KEY") {
			return fmt.Errorf("no PRIVATE KEY block in %q", out)
		}
	default:
		return fmt.Errorf("unknown shape parse %q", s.Parse)
	}
	return nil
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
