// Command yaml-ref is the reference oracle for Keelson's Kubernetes-flavoured YAML (src/Keelson.Kubernetes/Yaml).
//
// It reads requests as JSON lines on stdin and answers each with one JSON line on stdout, in order:
//
//	{"op":"y2j","in":"<yaml>"}   github.com/ghodss/yaml.YAMLToJSON (first document only, as Go does)
//	{"op":"docs","in":"<yaml>"}  every document of the stream, each converted the way YAMLToJSON converts one
//	{"op":"j2y","in":"<json>"}   sigs.k8s.io/yaml.Marshal of the value the JSON describes: encoding/json reads it
//	                             (numbers kept as written), json.Marshal writes it back as Go would, then
//	                             github.com/ghodss/yaml.JSONToYAML. That is Helm's toYaml path exactly.
//
// Answers are {"out":"..."} or {"docs":["...",...]} on success and {"err":"..."} on failure.
//
// Build in GOPATH mode against Debian's packages (golang-go, golang-gopkg-yaml.v2-dev,
// golang-github-ghodss-yaml-dev):
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o yaml-ref .
//
// github.com/ghodss/yaml is the predecessor of sigs.k8s.io/yaml; both wrap go-yaml v2 the same way (YAML ->
// interface{} via yaml.v2, non-string keys turned into strings, then encoding/json; and JSON -> yaml.v2 Unmarshal ->
// yaml.v2 Marshal). Differences from the sigs.k8s.io/yaml that Helm uses (v1.4.0 in Helm 3.14-3.18, v1.6.0 with
// go.yaml.in/yaml/v2 v2.4.2 in Helm 4):
//   - sigs.k8s.io/yaml prefixes its errors ("error converting YAML to JSON: ..."); the conversions are the same.
//   - Its vendored go-yaml v2 (goyaml.v2, as seen in kubernetes-sigs/yaml at commit 742f5e6) reads integers beyond
//     64 bits as big integers; gopkg.in/yaml.v2 2.4.0, used here, reads them as float64 (99999999999999999999 ->
//     1e+20). Whether go.yaml.in/yaml/v2 v2.4.2 carries that change could not be confirmed; such numbers are rare
//     in manifests.
//   - Line wrapping is the same: go-yaml v2.4.0 wraps at 80 columns unless yaml.FutureLineWrap() is called, and
//     neither sigs.k8s.io/yaml nor Helm calls it (kubernetes-sigs/yaml#68 and #116, kustomize#947 and #4222 show the
//     wrapping and the decision to keep it; helm/helm#31173 shows Helm's toYaml output wrapped in 2025).
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"reflect"
	"strconv"
	"strings"

	"github.com/ghodss/yaml"
	yamlv2 "gopkg.in/yaml.v2"
)

type request struct {
	Op string `json:"op"`
	In string `json:"in"`
}

type response struct {
	Out  *string   `json:"out,omitempty"`
	Docs *[]string `json:"docs,omitempty"`
	Err  *string   `json:"err,omitempty"`
}

func main() {
	in := bufio.NewReaderSize(os.Stdin, 1<<20)
	out := bufio.NewWriterSize(os.Stdout, 1<<20)
	defer out.Flush()
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	for {
		line, err := in.ReadBytes('\n')
		if len(line) > 0 {
			var req request
			if jerr := json.Unmarshal(line, &req); jerr != nil {
				fmt.Fprintf(os.Stderr, "yaml-ref: bad request line: %v\n", jerr)
				os.Exit(2)
			}
			if eerr := enc.Encode(answer(req)); eerr != nil {
				fmt.Fprintf(os.Stderr, "yaml-ref: %v\n", eerr)
				os.Exit(2)
			}
		}
		if err == io.EOF {
			return
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "yaml-ref: %v\n", err)
			os.Exit(2)
		}
	}
}

func answer(req request) (resp response) {
	defer func() {
		if r := recover(); r != nil {
			msg := fmt.Sprintf("panic: %v", r)
			resp = response{Err: &msg}
		}
	}()
	switch req.Op {
	case "y2j":
		return result(yaml.YAMLToJSON([]byte(req.In)))
	case "j2y":
		dec := json.NewDecoder(strings.NewReader(req.In))
		dec.UseNumber()
		var v interface{}
		if err := dec.Decode(&v); err != nil {
			msg := "bad json: " + err.Error()
			return response{Err: &msg}
		}
		j, err := json.Marshal(v)
		if err != nil {
			msg := err.Error()
			return response{Err: &msg}
		}
		return result(yaml.JSONToYAML(j))
	case "docs":
		docs, err := documents([]byte(req.In))
		if err != nil {
			msg := err.Error()
			return response{Err: &msg}
		}
		if docs == nil {
			docs = []string{}
		}
		return response{Docs: &docs}
	default:
		msg := "unknown op " + req.Op
		return response{Err: &msg}
	}
}

func result(b []byte, err error) response {
	if err != nil {
		msg := err.Error()
		return response{Err: &msg}
	}
	s := string(b)
	return response{Out: &s}
}

// documents decodes every document of a stream with yaml.v2's Decoder (a fresh decoder state per document, as
// Decoder.Decode does) and converts each like ghodss/yaml's yamlToJSON with no target type.
func documents(y []byte) ([]string, error) {
	dec := yamlv2.NewDecoder(bytesReader(y))
	var docs []string
	for i := 0; ; i++ {
		var obj interface{}
		err := dec.Decode(&obj)
		if err == io.EOF {
			return docs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("document %d: %v", i, err)
		}
		jsonable, err := jsonable(obj)
		if err != nil {
			return nil, fmt.Errorf("document %d: %v", i, err)
		}
		b, err := json.Marshal(jsonable)
		if err != nil {
			return nil, fmt.Errorf("document %d: %v", i, err)
		}
		docs = append(docs, string(b))
	}
}

// jsonable mirrors the conversion YAMLToJSON applies (keys to strings; float keys through float32 formatting).
func jsonable(v interface{}) (interface{}, error) {
	switch t := v.(type) {
	case map[interface{}]interface{}:
		m := make(map[string]interface{}, len(t))
		for k, val := range t {
			var key string
			switch tk := k.(type) {
			case string:
				key = tk
			case int:
				key = strconv.Itoa(tk)
			case int64:
				key = strconv.FormatInt(tk, 10)
			case float64:
				key = strconv.FormatFloat(tk, 'g', -1, 32)
				switch key {
				case "+Inf":
					key = ".inf"
				case "-Inf":
					key = "-.inf"
				case "NaN":
					key = ".nan"
				}
			case bool:
				key = strconv.FormatBool(tk)
			default:
				return nil, fmt.Errorf("Unsupported map key of type: %s, key: %+#v, value: %+#v", reflect.TypeOf(k), k, val)
			}
			conv, err := jsonable(val)
			if err != nil {
				return nil, err
			}
			m[key] = conv
		}
		return m, nil
	case []interface{}:
		a := make([]interface{}, len(t))
		for i, e := range t {
			conv, err := jsonable(e)
			if err != nil {
				return nil, err
			}
			a[i] = conv
		}
		return a, nil
	default:
		return v, nil
	}
}
