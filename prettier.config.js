export { default } from "@ils/prettier-config";
