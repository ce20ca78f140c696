import base from "@ils/eslint-config/base";

export default base;
