// The normalised form under which two texts count as the same sentence (overlap between task
// splits, the grouping of a selection slice).

/// Lower-cased letters and digits only: punctuation, spacing and tokenisation differences
/// (`it 's` / `it's`, `-lrb-` aside) do not tell two copies of a sentence apart.
public enum TextKey {
    public static func normalized(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.lowercased().unicodeScalars
        where scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
            out.append(scalar)
        }
        return String(out)
    }
}
