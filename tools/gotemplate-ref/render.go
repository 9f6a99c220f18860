package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"text/template"
	"time"
	"unicode/utf8"

	"github.com/Masterminds/sprig"
)

// Case is one template rendering request. Either Template (a single template named Entry, "main" by default) or
// Templates (several named templates parsed into one set in ordinal name order, then Entry is executed).
type Case struct {
	ID         string            `json:"id"`
	Template   *string           `json:"template,omitempty"`
	Templates  map[string]string `json:"templates,omitempty"`
	Entry      string            `json:"entry,omitempty"`
	Data       json.RawMessage   `json:"data,omitempty"`
	MissingKey string            `json:"missingkey,omitempty"`
	Funcs      string            `json:"funcs,omitempty"`
}

// Result is what Go made of a case. Output is set when OK; OutputBase64 replaces it when the output is not valid
// UTF-8 (JSON strings cannot carry such bytes faithfully).
type Result struct {
	ID           string  `json:"id"`
	OK           bool    `json:"ok"`
	Output       *string `json:"output,omitempty"`
	OutputBase64 string  `json:"outputBase64,omitempty"`
	Error        string  `json:"error,omitempty"`
}

const (
	defaultEntry = "main"
	// A case must not take the oracle down: runaway output and runaway time are reported as errors.
	outputLimit = 16 << 20
	caseTimeout = 2 * time.Minute
)

var errOutputLimit = errors.New("output limit exceeded")

// sprigFuncs is Sprig's text function map as Helm uses it: env and expandenv removed.
var sprigFuncs = func() template.FuncMap {
	funcs := sprig.TxtFuncMap()
	delete(funcs, "env")
	delete(funcs, "expandenv")
	return funcs
}()

func runLine(line []byte) Result {
	var c Case
	if err := json.Unmarshal(line, &c); err != nil {
		return Result{ID: peekID(line), Error: "bad case: " + err.Error()}
	}
	return render(c)
}

// peekID recovers the id of a malformed case when possible, so the caller can still match the answer.
func peekID(line []byte) string {
	var partial struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(line, &partial)
	return partial.ID
}

func render(c Case) Result {
	type outcome struct {
		out []byte
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		out, err := execute(c)
		done <- outcome{out, err}
	}()
	select {
	case o := <-done:
		return toResult(c.ID, o.out, o.err)
	case <-time.After(caseTimeout):
		return Result{ID: c.ID, Error: fmt.Sprintf("oracle: case took longer than %s", caseTimeout)}
	}
}

func toResult(id string, out []byte, err error) Result {
	if err != nil {
		return Result{ID: id, Error: err.Error()}
	}
	r := Result{ID: id, OK: true}
	if utf8.Valid(out) {
		s := string(out)
		r.Output = &s
	} else {
		r.OutputBase64 = base64.StdEncoding.EncodeToString(out)
	}
	return r
}

func execute(c Case) (out []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("panic: %v", r)
		}
	}()

	entry := c.Entry
	if entry == "" {
		entry = defaultEntry
	}
	root := template.New(entry)
	switch c.Funcs {
	case "", "builtin":
	case "sprig":
		root.Funcs(sprigFuncs)
	default:
		return nil, fmt.Errorf("bad case: unknown funcs %q (builtin or sprig)", c.Funcs)
	}
	switch c.MissingKey {
	case "":
	case "default", "invalid", "zero", "error":
		root.Option("missingkey=" + c.MissingKey)
	default:
		return nil, fmt.Errorf("bad case: unknown missingkey %q (default, zero or error)", c.MissingKey)
	}

	switch {
	case c.Template != nil && c.Templates != nil:
		return nil, errors.New("bad case: both template and templates")
	case c.Template != nil:
		if _, err := root.Parse(*c.Template); err != nil {
			return nil, err
		}
	case c.Templates != nil:
		names := make([]string, 0, len(c.Templates))
		for name := range c.Templates {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			t := root
			if name != entry {
				t = root.New(name)
			}
			if _, err := t.Parse(c.Templates[name]); err != nil {
				return nil, err
			}
		}
	default:
		return nil, errors.New("bad case: no template")
	}

	var data interface{}
	if len(c.Data) > 0 {
		// Helm values reach templates through encoding/json: numbers are float64, objects map[string]interface{}.
		if err := json.Unmarshal(c.Data, &data); err != nil {
			return nil, fmt.Errorf("bad case: data: %v", err)
		}
	}

	var buf limitedBuffer
	if err := root.ExecuteTemplate(&buf, entry, data); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

type limitedBuffer struct{ bytes.Buffer }

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if b.Len()+len(p) > outputLimit {
		return 0, errOutputLimit
	}
	return b.Buffer.Write(p)
}

// encodeResult writes one JSON line without HTML escaping, so outputs stay readable in logs.
func encodeResult(r Result) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
