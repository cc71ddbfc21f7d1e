// A POS integration in .NET (Mono): HttpWebRequest, the JSON written through a
// StreamWriter with Encoding.UTF8, which puts a UTF-8 byte order mark first.
// Usage: Client.exe <url> <payload file>; prints one JSON line.
using System;
using System.IO;
using System.Net;
using System.Text;

class Client {
  static string B64(byte[] b) { return Convert.ToBase64String(b); }

  static void Main(string[] args) {
    string json = File.ReadAllText(args[1], new UTF8Encoding(false));
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
