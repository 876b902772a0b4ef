package dev.descent.properties;
import org.junit.jupiter.api.Test;
import java.util.*;
class ScratchTest {
  @Test void show() {
    String[] words = {"abs(","sign(","sqrt(","exp(","log(","log1p(","expm1(","sin(","cos(","tan(","asin(","acos(","atan(","sinh(","cosh(","tanh(","sigmoid(","relu(","softplus(","floor(","ceil(","round(","min(","max(","atan2(","pow(","clip(","sum(","mean(","dot(","norm(","norm1(","logsumexp(","softmax(","transpose(","outer(","diag(","eye(","ones(","zeros(","len(","@","^","**"," if ","not ", " and ", " or ", "==", "!=", "<=", ">=", " < ", " > ", "axis", "g1(", "g2(", "sq(", "ramp(", "lerp(", "bump(", "huber(", "squash(", "shade(", "shift(", "softsign("};
    Map<String,Integer> cnt = new LinkedHashMap<>();
    long len = 0;
    for (int s = 0; s < 1500; s++) {
      var c = ScriptGen.script(s, 4);
      String o = c.source().substring(c.source().indexOf("def shift"));
      len += c.objective().length();
      for (String w : words) if (o.contains(w)) cnt.merge(w, 1, Integer::sum);
      if (s < 6) System.out.println(c.source().substring(c.source().indexOf("def shift")) + "\n");
    }
    System.out.println("avg objective length " + len/1500.0);
    System.out.println(cnt);
  }
}
