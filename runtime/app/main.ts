// The clerk UI's entry: Shoelace's theme and base path, the language saved in this browser, the shell.
import '@shoelace-style/shoelace/dist/themes/light.css';
import './styles.css';
import { setBasePath } from '@shoelace-style/shoelace/dist/utilities/base-path.js';
import { savedLanguage, useLanguage } from './i18n/locale.ts';
import './screens/app-shell.ts';

setBasePath('/app/shoelace');
void useLanguage(savedLanguage());
