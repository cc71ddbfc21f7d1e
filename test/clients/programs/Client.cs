// A POS integration in .NET (Mono), two ways: HttpWebRequest with the JSON
// written through a StreamWriter with Encoding.UTF8, which puts a UTF-8 byte
// order mark first; and System.Net.Http.HttpClient with a StringContent.
// Usage: Client.exe <url> <payload file> [httpclient]; prints one JSON line.
using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Text;

class Client {
  static string B64(byte[] b) { return Convert.ToBase64String(b); }

  static void Main(string[] args) {
    string json = File.ReadAllText(args[1], new UTF8Encoding(false));
    if (args.Length > 2 && args[2] == "httpclient") {
      using (var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) }) {
        var content = new StringContent(json, Encoding.UTF8, "application/json");
        byte[] body = content.ReadAsByteArrayAsync().Result;
        var r = http.PostAsync(args[0], content).Result;
        byte[] a = r.Content.ReadAsByteArrayAsync().Result;
        string w = r.Headers.Contains("X-Relay-Warnings") ? string.Join(",", r.Headers.GetValues("X-Relay-Warnings")) : null;
        Console.WriteLine("{\"status\":" + (int)r.StatusCode + ",\"answer_b64\":\"" + B64(a) + "\",\"sent_b64\":\"" + B64(body) + "\"" +
          (w == null ? "" : ",\"warnings_b64\":\"" + B64(Encoding.UTF8.GetBytes(w)) + "\"") + "}");
      }
      return;
    }
    var req = (HttpWebRequest)WebRequest.Create(args[0]);
    req.Method = "POST";
    req.ContentType = "application/json";
    req.Timeout = 10000;
    var sent = new MemoryStream();
    using (var w = new StreamWriter(sent, Encoding.UTF8)) w.Write(json);
    using (var w = new StreamWriter(req.GetRequestStream(), Encoding.UTF8)) w.Write(json);
    HttpWebResponse res;
    try { res = (HttpWebResponse)req.GetResponse(); }
    catch (WebException e) when (e.Response != null) { res = (HttpWebResponse)e.Response; }
    byte[] answer;
    using (var s = res.GetResponseStream()) using (var m = new MemoryStream()) { s.CopyTo(m); answer = m.ToArray(); }
    string warnings = res.Headers["X-Relay-Warnings"];
    Console.WriteLine("{\"status\":" + (int)res.StatusCode + ",\"answer_b64\":\"" + B64(answer) + "\",\"sent_b64\":\"" + B64(sent.ToArray()) + "\"" +
      (warnings == null ? "" : ",\"warnings_b64\":\"" + B64(Encoding.UTF8.GetBytes(warnings)) + "\"") + "}");
  }
}
