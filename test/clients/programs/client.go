// A POS integration in Go: net/http's default client posting the payload file.
// Usage: client <url> <payload file>; prints one JSON line.
package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"
)

func main() {
	body, err := os.ReadFile(os.Args[2])
	if err != nil {
		panic(err)
	}
	out := map[string]any{"sent_b64": base64.StdEncoding.EncodeToString(body)}
	client := &http.Client{Timeout: 10 * time.Second}
	res, err := client.Post(os.Args[1], "application/json", bytes.NewReader(body))
	if err != nil {
		out["error"] = err.Error()
	} else {
		answer, _ := io.ReadAll(res.Body)
		res.Body.Close()
		out["status"] = res.StatusCode
		out["version"] = res.Proto
		out["answer_b64"] = base64.StdEncoding.EncodeToString(answer)
		if w := res.Header.Get("X-Relay-Warnings"); w != "" {
			out["warnings"] = w
		}
	}
	line, _ := json.Marshal(out)
	fmt.Println(string(line))
}
