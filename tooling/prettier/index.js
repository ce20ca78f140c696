/** The repo's one Prettier config: the style the code was already written in. */
export default {
  printWidth: 140,
  semi: true,
  singleQuote: false,
  trailingComma: "all",
  arrowParens: "always",
};
